import Core
import Foundation
import Inference
import Models
import TestSupport
import Testing

/// How a model file's kind is found: the `stemtrace.kind` metadata first, the tensor names only
/// for files without it, and a refusal naming the candidates when that is ambiguous.
@Suite struct ModelKindTests {
    let directory: URL

    init() throws {
        directory = try Fixtures.temporaryDirectory("stemtrace-kinds")
    }

    func write(_ names: [String], metadata: [String: String] = [:], as name: String) throws -> URL {
        let url = directory.appendingPathComponent(name)
        let tensors = Dictionary(uniqueKeysWithValues: names.map { ($0, Tensor(floats: [0, 1], shape: [2])) })
        try Safetensors.write(tensors, metadata: metadata, to: url)
        return url
    }

    static var repository: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    @Test func theCommittedModelFilesDeclareTheirKind() throws {
        let musicnn = try LoadedModel(contentsOf: try #require(MusicnnModel.bundledWeightsURL))
        #expect(musicnn.metadata[ModelKinds.metadataKey] == "musicnn" && musicnn.kind == .musicnn)
        #expect(!musicnn.isDemonstration)
        let head = try LoadedModel(contentsOf: Self.repository.appendingPathComponent("models/veracity-head/model.safetensors"))
        #expect(head.metadata[ModelKinds.metadataKey] == "musicnn-linear" && head.kind == .musicnnLinear)
        #expect(head.isDemonstration && head.metadata["backbone"] == musicnn.id)
    }

    @Test func theDeclaredKindWinsOverTheTensorNames() throws {
        let names = ["concepts.weight", "output.weight", "in_c.0.weight"]
        let declared = try write(names, metadata: [ModelKinds.metadataKey: "rfresnet"], as: "declared.safetensors")
        #expect(try LoadedModel(contentsOf: declared).kind == .rfresnet)
    }

    @Test func aFileMatchingTwoKindsIsRefusedNamingBoth() throws {
        let url = try write(["concepts.weight", "output.weight", "in_c.0.weight"], as: "ambiguous.safetensors")
        let error = try #require(throws: ModelError.self) { try LoadedModel(contentsOf: url) }
        let text = "\(error)"
        #expect(text.contains("rfresnet") && text.contains("musicnn-linear") && text.contains(url.path))
    }

    @Test func anUnknownDeclaredKindIsRefused() throws {
        let url = try write(["w"], metadata: [ModelKinds.metadataKey: "transformer"], as: "unknown.safetensors")
        let error = try #require(throws: ModelError.self) { try LoadedModel(contentsOf: url) }
        #expect("\(error)".contains("transformer") && "\(error)".contains("musicnn-linear"))
    }

    @Test func aFileOfNoKindNamesWhatWasExpected() throws {
        let url = try write(["something"], as: "none.safetensors")
        let error = try #require(throws: ModelError.self) { try LoadedModel(contentsOf: url) }
        #expect("\(error)".contains("neither an RF-ResNet"))
    }

    @Test func aKindThatCannotServeAUseSaysSo() throws {
        let musicnn = try LoadedModel(contentsOf: try #require(MusicnnModel.bundledWeightsURL))
        let error = try #require(throws: ModelUseError.self) { _ = try musicnn.definition.excerptPredictor(musicnn) }
        #expect("\(error)".contains("is a musicnn model"))
    }
}

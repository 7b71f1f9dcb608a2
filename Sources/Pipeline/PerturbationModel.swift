import Core
import DSP
import Explain
import Foundation
import Inference
import Store

/// A model that explanations can query: it maps a batch of front-end features (one per
/// perturbation, composed by its `frontEnd` from cached spectra) to one value per target.
public protocol PerturbationModel: Sendable {
    associatedtype FrontEnd: ComposableFrontEnd
    /// The linear-STFT front end whose features the model reads.
    var frontEnd: FrontEnd { get }
    /// Identifies the model in the catalog (content hash of its weights, or of its command).
    var id: String { get }
    /// The model's targets, in output order.
    var targets: [ExplainTarget] { get }
    /// Linear weights joining each concept to each output (outputs × concepts), when the model
    /// has the paper's two linear layers; nil otherwise.
    var conceptToOutputWeights: [Float]? { get }
    /// Runs the model on features of one shape; returns `inputs.count × targets.count` values, row-major.
    func predict(_ inputs: [FrontEnd.Features]) async throws -> [Float]
    /// The outputs for the all-zero input when already known (so it is not run again).
    var zeroOutput: [Float]? { get }
    /// The model's row in the catalog's `models` table (registered when it explains a store).
    var record: ModelRecord? { get }
}

extension PerturbationModel {
    public var zeroOutput: [Float]? { nil }
    public var record: ModelRecord? { nil }
}

/// One explainable output of a model: a mid-level concept or an emotion output (or, for an
/// external model, whatever it names).
public struct ExplainTarget: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Codable { case concept, output }
    public var name: String
    public var kind: Kind

    public init(name: String, kind: Kind) {
        self.name = name
        self.kind = kind
    }
}

/// The paper's RF-ResNet as a perturbation model: 7 concepts then 2 emotion outputs per input.
/// Each composed spectrogram is cut or looped to the 1252-frame model input as the reference
/// `slice_func(padding='loop')` does.
public struct RFResNetPerturbationModel: PerturbationModel {
    public let id: String
    public let frontEnd = LogFilteredSpectrogram()
    public let record: ModelRecord?
    let model: RFResNet

    public init(_ loaded: LoadedModel) throws {
        guard loaded.kind == .rfresnet else {
            throw PipelineError.invalidOption("\(loaded.url.path) is a \(loaded.kind.rawValue) model, not an RF-ResNet")
        }
        id = loaded.id
        model = try RFResNet(weights: loaded.tensors)
        record = loaded.record(
            frontEnd: frontEnd.name,
            labels: CanonicalJSON.string(["concepts": RFResNet.conceptNames, "outputs": RFResNet.outputNames]))
    }

    public var targets: [ExplainTarget] {
        RFResNet.conceptNames.map { ExplainTarget(name: $0, kind: .concept) }
            + RFResNet.outputNames.map { ExplainTarget(name: $0, kind: .output) }
    }

    public var conceptToOutputWeights: [Float]? { model.conceptToOutputWeights }

    public func predict(_ inputs: [Spectrogram]) async throws -> [Float] {
        let inputs = inputs.map { $0.modelInput() }
        guard let first = inputs.first else { return [] }
        var values = [Float]()
        values.reserveCapacity(inputs.count * first.values.count)
        for spec in inputs { values += spec.values }
        let result = try model.forward(
            FeatureMap(batch: inputs.count, channels: 1, height: first.bandCount, width: first.frameCount, values: values))
        let c = RFResNet.conceptNames.count
        let o = RFResNet.outputNames.count
        var out = [Float]()
        out.reserveCapacity(inputs.count * (c + o))
        for n in 0..<inputs.count {
            out += result.concepts[(n * c)..<((n + 1) * c)]
            out += result.output[(n * o)..<((n + 1) * o)]
        }
        return out
    }
}

/// Loads a weights file as a model that explanations can query.
public enum PerturbationModels {
    /// `url` names a weights file; the word `musicnn` (when no such file exists) names the bundled
    /// MSD_musicnn tagger.
    public static func load(contentsOf url: URL) throws -> any PerturbationModel {
        var url = url
        if url.lastPathComponent == "musicnn", !FileManager.default.fileExists(atPath: url.path) {
            guard let bundled = MusicnnModel.bundledWeightsURL else {
                throw PipelineError.invalidOption("the bundled musicnn weights are missing from this build")
            }
            url = bundled
        }
        let loaded = try LoadedModel(contentsOf: url)
        switch loaded.kind {
        case .rfresnet: return try RFResNetPerturbationModel(loaded)
        case .musicnn: return try MusicnnPerturbationModel(loaded)
        case .musicnnLinear: return try MusicnnLinearPerturbationModel(loaded)
        }
    }
}

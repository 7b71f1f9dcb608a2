import Core
import DSP
import Explain
import Foundation
import Inference
import Store

/// musicnn's front end (16 kHz, reflect-padded 512-point STFT, mel, float16, log) as a composable
/// front end: the components are resampled to 16 kHz once and every frame may see every sample
/// (reflection), so each component's spectrum covers all frames. It does not trim zeros.
public struct MusicnnComposableFrontEnd: ComposableFrontEnd {
    public let frontEnd = MusicnnFrontEnd()

    public init() {}

    public var name: String { "musicnn-mel:16000Hz:96x187" }
    /// musicnn reads audio as it is (no peak normalisation), so perturbations are raw sums by default.
    public var defaultConditioning: SignalConditioning { .raw }
    public var sampleRate: Int { MusicnnFrontEnd.sampleRate }
    public var binCount: Int { MusicnnFrontEnd.binCount }
    public var supportsTrimming: Bool { false }
    public func frameCount(sampleCount: Int) -> Int { MusicnnFrontEnd.frameCount(sampleCount: sampleCount) }
    public func frames(touching support: ClosedRange<Int>, offset: Int, frameCount: Int, sampleCount: Int) -> Range<Int> {
        0..<frameCount
    }
    public func spectra(of signal: UnsafeBufferPointer<Float>, offset: Int, frames: Range<Int>) -> [Double] {
        frontEnd.spectra(of: signal, frames: frames)
    }
    public func features(spectra: UnsafePointer<Double>, frameCount: Int, scale: Double) -> MusicnnSpectrogram {
        let values = UnsafeBufferPointer(start: spectra, count: 2 * binCount * frameCount)
        return MusicnnFrontEnd.logCompress(frontEnd.melPower(spectra: values, scale: scale))
    }
    public func silence(sampleCount: Int) -> MusicnnSpectrogram {
        let frames = frameCount(sampleCount: sampleCount)
        let zeros = [Double](repeating: 0, count: 2 * binCount * frames)
        return zeros.withUnsafeBufferPointer { MusicnnFrontEnd.logCompress(frontEnd.melPower(spectra: $0, scale: 1)) }
    }
}

/// musicnn (MSD) as a perturbation model: its 50 tag probabilities, averaged over the 3-s
/// patches as musicnn's track-level tags are, are the targets (all of kind `output`).
public struct MusicnnPerturbationModel: PerturbationModel {
    public let id: String
    public let frontEnd = MusicnnComposableFrontEnd()
    public let record: ModelRecord?
    let model: MusicnnModel

    public init(_ loaded: LoadedModel) throws {
        guard loaded.kind == .musicnn else {
            throw PipelineError.invalidOption("\(loaded.url.path) is a \(loaded.kind.rawValue) model, not musicnn")
        }
        id = loaded.id
        model = try MusicnnModel(weights: loaded.tensors)
        record = loaded.record(frontEnd: "mel:16000Hz:96x187", labels: CanonicalJSON.string(["tags": MusicnnModel.labels]))
    }

    public var targets: [ExplainTarget] { MusicnnModel.labels.map { ExplainTarget(name: $0, kind: .output) } }
    public var conceptToOutputWeights: [Float]? { nil }

    public func predict(_ inputs: [MusicnnSpectrogram]) async throws -> [Float] {
        var out: [Float] = []
        out.reserveCapacity(inputs.count * MusicnnModel.tagCount)
        for logMel in inputs {
            let patches = try MusicnnFrontEnd.patches(logMel)
            out += MusicnnTags(output: model.predict(patches), frameCount: patches.frameCount).tags
        }
        return out
    }
}

/// A trained explainable head on musicnn's embedding (`stemtrace train`) as a perturbation model:
/// each composed log-mel spectrogram goes through the bundled musicnn up to its pooled
/// penultimate embedding, then the two linear layers; targets are the concepts then the outputs,
/// and the emotion layer's weights give the two-level chain.
public struct MusicnnLinearPerturbationModel: PerturbationModel {
    public let id: String
    public let frontEnd = MusicnnComposableFrontEnd()
    public let record: ModelRecord?
    let backbone: MusicnnModel
    let head: MusicnnLinearModel

    public init(_ loaded: LoadedModel) throws {
        head = try MusicnnLinearModel(loaded)
        backbone = try MusicnnModel(weights: try MusicnnBackbone.weights(for: loaded).tensors)
        id = loaded.id
        record = loaded.record(
            frontEnd: "mel:16000Hz:96x187",
            labels: CanonicalJSON.string(["concepts": head.conceptNames, "outputs": head.outputNames]))
    }

    public var targets: [ExplainTarget] {
        head.conceptNames.map { ExplainTarget(name: $0, kind: .concept) }
            + head.outputNames.map { ExplainTarget(name: $0, kind: .output) }
    }
    public var conceptToOutputWeights: [Float]? { head.outputWeights }

    public func predict(_ inputs: [MusicnnSpectrogram]) async throws -> [Float] {
        var out: [Float] = []
        for logMel in inputs {
            let r = head.predict(embedding: head.embedding(backbone.predict(try MusicnnFrontEnd.patches(logMel))))
            out += r.concepts + r.output
        }
        return out
    }
}

/// The musicnn weights a trained head was fitted on: the bundled MSD_musicnn, checked against
/// the head's `backbone` metadata (a head on other features would silently mean nothing).
enum MusicnnBackbone {
    static func weights(for head: LoadedModel) throws -> LoadedModel {
        guard let url = MusicnnModel.bundledWeightsURL else {
            throw PipelineError.invalidOption("the bundled musicnn weights are missing from this build")
        }
        let bundled = try LoadedModel(contentsOf: url)
        if let expected = head.metadata["backbone"], expected != bundled.id {
            throw PipelineError.invalidOption(
                "\(head.url.path) was trained on musicnn weights \(expected.prefix(12)), not the bundled \(bundled.id.prefix(12))"
            )
        }
        return bundled
    }
}

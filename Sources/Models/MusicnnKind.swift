import Core
import DSP
import Explain
import Foundation
import Inference
import Store

/// The musicnn tagger (Pons & Serra 2019, MSD model): TensorFlow keys such as `conv2d/kernel`
/// and `batch_normalization*`, 50 tag probabilities from 3-s log-mel patches at 16 kHz. `tag`
/// runs it on stored mixes, `explain` on composed spectrograms; `train` fits heads on its
/// embeddings (`EmbeddingSource.musicnn`).
public struct MusicnnKind: ModelKind {
    public var name: ModelKindName { .musicnn }
    public var summary: String { "a musicnn (TensorFlow keys)" }
    public func matches(tensorNames: Set<String>) -> Bool {
        tensorNames.contains("conv2d/kernel") || tensorNames.contains(where: { $0.hasPrefix("batch_normalization") })
    }
    public var frontEnd: String { MusicnnFrontEnd.identifier }
    public func labels(_ model: LoadedModel) throws -> [String: [String]] { ["tags": MusicnnModel.labels] }
    public var canCarryTrainingReport: Bool { false }

    /// `model run`: `input` is a batch of log-mel patches [P, 187, 96] (or one patch [187, 96]);
    /// the outputs are `tags` (P × 50 sigmoid probabilities) and `penultimate` (P × 200).
    public func run(_ loaded: LoadedModel, input x: Tensor) throws -> [String: Tensor] {
        let model = try MusicnnModel(weights: loaded.tensors)
        let shape = x.shape.count == 2 ? [1] + x.shape : x.shape
        guard shape.count == 3, shape[1] == MusicnnFrontEnd.patchFrames, shape[2] == 96 else {
            throw ModelUseError.invalid(
                "musicnn 'input' must be [P, \(MusicnnFrontEnd.patchFrames), 96] log-mel patches, has shape \(x.shape)")
        }
        let patches = try MusicnnPatches(values: try x.floats(), count: shape[0])
        let out = model.predict(patches)
        return [
            "tags": Tensor(floats: out.taggram, shape: [out.patchCount, MusicnnModel.tagCount]),
            "penultimate": Tensor(floats: out.penultimate, shape: [out.patchCount, MusicnnModel.penultimateSize]),
        ]
    }

    public func perturbationModel(_ model: LoadedModel) throws -> any PerturbationModel {
        try MusicnnPerturbationModel(model)
    }

    public func tagger(_ model: LoadedModel) throws -> MusicnnTagger {
        MusicnnTagger(model: try MusicnnModel(weights: model.tensors))
    }

    public func embedder(_ model: LoadedModel, source: EmbeddingSource, sampleRate: Int) throws -> (
        @Sendable (Tensor) throws -> [Float]
    )? {
        guard let features = MusicnnLinearModel.Features.allCases.first(where: { source == .musicnn($0) })
        else { return nil }
        let network = try MusicnnModel(weights: model.tensors)
        let frontEnd = MusicnnFrontEnd()
        return { mix in
            let patches = try frontEnd.patches(try mix.floats(), sampleRate: sampleRate)
            return MusicnnLinearModel.embedding(network.predict(patches), features: features)
        }
    }
}

extension ModelKindName {
    public static let musicnn = ModelKindName(rawValue: "musicnn")
}

extension EmbeddingSource {
    /// musicnn's penultimate (200-d) or pooled front-end (1506-d) features, averaged over the 3-s
    /// patches of the stored mix (resampled to 16 kHz with soxr HQ).
    public static func musicnn(_ features: MusicnnLinearModel.Features) -> EmbeddingSource {
        EmbeddingSource(name: "musicnn-\(features.rawValue)", inputKind: "mix")
    }
}

/// musicnn's front end (16 kHz, reflect-padded 512-point STFT, mel, float16, log) as a composable
/// front end: the components are resampled to 16 kHz once and every frame may see every sample
/// (reflection), so each component's spectrum covers all frames. It does not trim zeros.
public struct MusicnnComposableFrontEnd: ComposableFrontEnd {
    public let frontEnd = MusicnnFrontEnd()

    public init() {}

    public var name: String { "musicnn-" + MusicnnFrontEnd.identifier }
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
        try loaded.require(.musicnn, for: "not musicnn")
        id = loaded.id
        model = try MusicnnModel(weights: loaded.tensors)
        record = try loaded.record()
    }

    public var targets: [ExplainTarget] { MusicnnModel.labels.map { ExplainTarget(name: $0, kind: .output) } }
    public var conceptToOutputWeights: [Float]? { nil }

    public func predict(_ inputs: [MusicnnSpectrogram], threads: Int) async throws -> [Float] {
        var out: [Float] = []
        out.reserveCapacity(inputs.count * MusicnnModel.tagCount)
        for logMel in inputs {
            let patches = try MusicnnFrontEnd.patches(logMel)
            out += MusicnnTags(output: model.predict(patches, threads: threads), frameCount: patches.frameCount).tags
        }
        return out
    }
}

import Core
import DSP
import Explain
import Foundation
import Inference
import Store

/// The paper's RF-ResNet (Chowdhury et al. 2021): PyTorch state-dict keys such as
/// `in_c.0.weight`, 7 mid-level concepts then 2 emotion outputs from the 149-band log-filtered
/// spectrogram. `infer` runs it on stored spectrograms, `explain` on composed ones; `train` uses
/// its conv trunk as a frozen backbone (`EmbeddingSource.rfresnetTrunk`).
public struct RFResNetKind: ModelKind {
    public var name: ModelKindName { .rfresnet }
    public var summary: String { "an RF-ResNet (PyTorch keys)" }
    public func matches(tensorNames: Set<String>) -> Bool { tensorNames.contains("in_c.0.weight") }
    public var frontEnd: String { LogFilteredSpectrogram().name }
    public func labels(_ model: LoadedModel) throws -> [String: [String]] {
        ["concepts": RFResNet.conceptNames, "outputs": RFResNet.outputNames]
    }

    /// `model run`: accepts `input` of shape [F, T], [C, F, T] or [N, C, F, T]; writes `concepts`,
    /// `output` and `embedding`.
    public func run(_ model: LoadedModel, input x: Tensor) throws -> [String: Tensor] {
        let network = try RFResNet(weights: model.tensors)
        let shape = Array(repeating: 1, count: max(0, 4 - x.shape.count)) + x.shape
        guard shape.count == 4 else {
            throw ModelUseError.invalid("'input' must have 2 to 4 dimensions, has shape \(x.shape)")
        }
        let map = FeatureMap(batch: shape[0], channels: shape[1], height: shape[2], width: shape[3], values: try x.floats())
        let result = try network.forward(map)
        return [
            "concepts": Tensor(floats: result.concepts, shape: [map.batch, RFResNet.conceptNames.count]),
            "output": Tensor(floats: result.output, shape: [map.batch, RFResNet.outputNames.count]),
            "embedding": Tensor(floats: result.embedding.values, shape: result.embedding.shape),
        ]
    }

    public func perturbationModel(_ model: LoadedModel) throws -> any PerturbationModel {
        try RFResNetPerturbationModel(model)
    }

    public func excerptPredictor(_ model: LoadedModel) throws -> any ExcerptPredictor {
        RFResNetExcerptPredictor(network: try RFResNet(weights: model.tensors))
    }

    public func embedder(_ model: LoadedModel, source: EmbeddingSource, sampleRate: Int) throws -> (
        @Sendable (Tensor) throws -> [Float]
    )? {
        guard source == .rfresnetTrunk else { return nil }
        let network = try RFResNet(weights: model.tensors)
        return { spectrogram in
            let input = FeatureMap(
                batch: 1, channels: 1, height: RFResNetInput.bands, width: RFResNetInput.frames,
                values: try RFResNetInput.values(of: spectrogram))
            return try network.forward(input).pooled
        }
    }
}

extension ModelKindName {
    public static let rfresnet = ModelKindName(rawValue: "rfresnet")
}

extension EmbeddingSource {
    /// An RF-ResNet checkpoint's globally pooled stage-3 map (512-d), from the stored mixture
    /// spectrogram cut to the model input exactly as `infer` does: what `concepts_layer` reads.
    public static let rfresnetTrunk = EmbeddingSource(name: "rfresnet-pooled", inputKind: "logfiltspec")
}

/// `infer` with the RF-ResNet: stored spectrograms in batches, concepts then outputs.
struct RFResNetExcerptPredictor: ExcerptPredictor {
    let network: RFResNet
    var conceptNames: [String] { RFResNet.conceptNames }
    var outputNames: [String] { RFResNet.outputNames }
    var conceptToOutputWeights: [Float] { network.conceptToOutputWeights }
    var input: ExcerptInput {
        .array(kind: "logfiltspec", rows: RFResNetInput.bands, prepare: { try RFResNetInput.values(of: $0) })
    }

    func predict(_ inputs: [[Float]]) throws -> [(concepts: [Float], outputs: [Float])] {
        try predict(inputs, threads: ProcessorCount.available)
    }

    func predict(_ inputs: [[Float]], threads: Int) throws -> [(concepts: [Float], outputs: [Float])] {
        guard !inputs.isEmpty else { return [] }
        let result = try network.forward(
            FeatureMap(
                batch: inputs.count, channels: 1, height: RFResNetInput.bands, width: RFResNetInput.frames,
                values: inputs.flatMap { $0 }), threads: threads)
        let c = RFResNet.conceptNames.count
        let o = RFResNet.outputNames.count
        return (0..<inputs.count).map { n in
            (Array(result.concepts[(n * c)..<((n + 1) * c)]), Array(result.output[(n * o)..<((n + 1) * o)]))
        }
    }
}

/// The paper's RF-ResNet as a perturbation model: 7 concepts then 2 emotion outputs per input.
/// Each composed spectrogram is cut or looped to the 1252-frame model input as the reference
/// `slice_func(padding='loop')` does.
public struct RFResNetPerturbationModel: PerturbationModel {
    public let id: String
    public let frontEnd = LogFilteredSpectrogram()
    public let record: ModelRecord?
    let predictor: RFResNetExcerptPredictor

    public init(_ loaded: LoadedModel) throws {
        try loaded.require(.rfresnet, for: "not an RF-ResNet")
        id = loaded.id
        predictor = RFResNetExcerptPredictor(network: try RFResNet(weights: loaded.tensors))
        record = try loaded.record()
    }

    public var targets: [ExplainTarget] {
        RFResNet.conceptNames.map { ExplainTarget(name: $0, kind: .concept) }
            + RFResNet.outputNames.map { ExplainTarget(name: $0, kind: .output) }
    }

    public var conceptToOutputWeights: [Float]? { predictor.conceptToOutputWeights }

    public func predict(_ inputs: [Spectrogram], threads: Int) async throws -> [Float] {
        try predictor.predict(inputs.map { $0.modelInput().values }, threads: threads).flatMap { $0.concepts + $0.outputs }
    }
}

/// The RF-ResNet input of a stored mixture spectrogram (`logfiltspec`): the paper's 149 bands,
/// cut or looped to the 1252-frame model input as the reference `slice_func(padding='loop')`
/// does (`Spectrogram.modelInput`). What `infer` feeds the network and what `stemtrace train`
/// embeds with its conv trunk, so the two see the same input.
public enum RFResNetInput {
    public static let bands = LogarithmicFilterbank().bandCount
    public static let frames = SpectrogramConfig.paper.modelInputFrames

    /// The `bands × frames` input values of one stored spectrogram.
    public static func values(of spectrogram: Tensor) throws -> [Float] {
        guard spectrogram.shape.count == 2, spectrogram.shape[0] == bands else {
            throw ModelUseError.invalid(
                "stored spectrogram has shape \(spectrogram.shape); the RF-ResNet expects \(bands) bands: re-ingest with the paper's front end"
            )
        }
        let spec = Spectrogram(
            bandCount: spectrogram.shape[0], frameCount: spectrogram.shape[1], values: try spectrogram.floats())
        return spec.modelInput(length: frames).values
    }
}

import Core
import Foundation
import Inference
import Store

/// The frozen network `stemtrace train` fits the explainable layers on, and the kind of model
/// file the fitted layers are written as.
public enum TrainingBackbone: Sendable, Equatable {
    /// The bundled musicnn (MSD), reading its penultimate or pooled front-end features; writes a
    /// `musicnn-linear` head.
    case musicnn(MusicnnLinearModel.Features)
    /// An RF-ResNet checkpoint's conv trunk (its globally pooled 512-d stage-3 map); writes the
    /// checkpoint with its two linear layers replaced.
    case rfresnet(checkpoint: URL)

    /// Reads the backbone's weights and checks their kind.
    public func load() throws -> LoadedModel {
        switch self {
        case .musicnn:
            guard let url = MusicnnModel.bundledWeightsURL else {
                throw ModelUseError.invalid("the bundled musicnn weights are missing from this build")
            }
            return try LoadedModel(contentsOf: url)
        case .rfresnet(let url):
            let loaded = try LoadedModel(contentsOf: url)
            try loaded.require(.rfresnet, for: "not an RF-ResNet checkpoint (PyTorch keys such as in_c.0.weight)")
            return loaded
        }
    }

    public var embeddingSource: EmbeddingSource {
        switch self {
        case .musicnn(let features): .musicnn(features)
        case .rfresnet: .rfresnetTrunk
        }
    }

    /// The model file's tensors and kind-specific metadata for fitted layers on this backbone.
    public func modelFile(_ layers: TrainedLayers, backbone: LoadedModel) throws -> (
        tensors: [String: Tensor], metadata: [String: String]
    ) {
        switch self {
        case .musicnn(let features):
            let head = try MusicnnLinearModel(
                conceptNames: RFResNet.conceptNames, outputNames: RFResNet.outputNames,
                conceptWeights: layers.conceptWeights, conceptBias: layers.conceptBias, outputWeights: layers.outputWeights,
                outputBias: layers.outputBias, features: features)
            return (
                head.tensors(), [ModelKinds.metadataKey: ModelKindName.musicnnLinear.rawValue, "embedding": features.rawValue]
            )
        case .rfresnet:
            let tensors = try RFResNet.replacingHeads(
                in: backbone.tensors, conceptWeights: layers.conceptWeights, conceptBias: layers.conceptBias,
                outputWeights: layers.outputWeights, outputBias: layers.outputBias)
            return (
                tensors,
                [ModelKinds.metadataKey: ModelKindName.rfresnet.rawValue, "embedding": EmbeddingSource.rfresnetTrunk.name]
            )
        }
    }
}

/// The two fitted linear layers, row-major float32: concepts × embedding and outputs × concepts.
public struct TrainedLayers: Sendable {
    public var conceptWeights: [Float]
    public var conceptBias: [Float]
    public var outputWeights: [Float]
    public var outputBias: [Float]

    public init(conceptWeights: [Float], conceptBias: [Float], outputWeights: [Float], outputBias: [Float]) {
        self.conceptWeights = conceptWeights
        self.conceptBias = conceptBias
        self.outputWeights = outputWeights
        self.outputBias = outputBias
    }
}

import Core
import Foundation

/// The explainable model `stemtrace train` writes: musicnn's (frozen, bundled) 200-d penultimate
/// embedding, averaged over the 3-s patches, then the paper's two linear layers —
/// `concepts = W₁·e + b₁` (7 mid-level concepts) and `output = W₂·concepts + b₂` (arousal,
/// valence). The emotion layer sees only the concepts, so effects (concept × W₂) stay exact.
///
/// File: safetensors with F32 `concepts.weight` [7, 200], `concepts.bias` [7], `output.weight`
/// [2, 7], `output.bias` [2]; metadata `concepts` and `outputs` (JSON lists of names), `backbone`
/// (the musicnn weights' content hash) and `report` (the training report, JSON).
public struct MusicnnLinearModel: Sendable {
    /// Which musicnn features the layers read, averaged over the 3-s patches.
    public enum Features: String, Sendable, CaseIterable {
        /// The 200-d penultimate dense layer (default).
        case penultimate
        /// The 1506-d max- and mean-over-time pooled front-end features that feed the dense layer.
        case pooled

        public var size: Int { self == .penultimate ? MusicnnModel.penultimateSize : 2 * MusicnnModel.pooledChannels }
    }

    public let features: Features
    public let conceptNames: [String]
    public let outputNames: [String]
    /// concepts × embedding, row-major.
    public let conceptWeights: [Float]
    public let conceptBias: [Float]
    /// outputs × concepts, row-major.
    public let outputWeights: [Float]
    public let outputBias: [Float]
    public let embeddingSize: Int

    public init(
        conceptNames: [String], outputNames: [String], conceptWeights: [Float], conceptBias: [Float], outputWeights: [Float],
        outputBias: [Float], features: Features = .penultimate
    ) throws(ModelError) {
        let embeddingSize = features.size
        let c = conceptNames.count
        let o = outputNames.count
        guard conceptWeights.count == c * embeddingSize, conceptBias.count == c, outputWeights.count == o * c,
            outputBias.count == o
        else {
            throw .inputShape(
                model: "musicnn-linear",
                reason: "layer sizes do not match \(c) concepts, \(o) outputs, \(embeddingSize)-d embedding")
        }
        self.features = features
        self.conceptNames = conceptNames
        self.outputNames = outputNames
        self.conceptWeights = conceptWeights
        self.conceptBias = conceptBias
        self.outputWeights = outputWeights
        self.outputBias = outputBias
        self.embeddingSize = embeddingSize
    }

    /// Reads the layers and names from a model file's tensors and metadata (see the type's doc
    /// for the layout); `path` names the file in errors.
    public init(tensors: [String: Tensor], metadata: [String: String], path: String) throws(ModelError) {
        func floats(_ key: String) throws(ModelError) -> (values: [Float], shape: [Int]) {
            guard let t = tensors[key] else { throw .missingWeight(model: "musicnn-linear", name: key) }
            do { return (try t.floats(), t.shape) } catch { throw .unreadable(path: path, reason: "\(key): \(error)") }
        }
        func names(_ key: String, count: Int) -> [String] {
            if let text = metadata[key], let list = try? JSONDecoder().decode([String].self, from: Data(text.utf8)),
                list.count == count
            {
                return list
            }
            return (0..<count).map { "\(key)\($0)" }
        }
        let w1 = try floats("concepts.weight")
        let w2 = try floats("output.weight")
        guard w1.shape.count == 2, w2.shape.count == 2 else {
            throw .inputShape(model: "musicnn-linear", reason: "layer weights must be matrices, got \(w1.shape) and \(w2.shape)")
        }
        guard let features = Features(rawValue: metadata["embedding"] ?? "penultimate") else {
            throw .unreadable(path: path, reason: "unknown embedding '\(metadata["embedding"] ?? "")'")
        }
        try self.init(
            conceptNames: names("concepts", count: w1.shape[0]), outputNames: names("outputs", count: w2.shape[0]),
            conceptWeights: w1.values, conceptBias: try floats("concepts.bias").values, outputWeights: w2.values,
            outputBias: try floats("output.bias").values, features: features)
    }

    /// The mean over patches of the chosen per-patch features: the embedding the layers read.
    public static func embedding(_ output: MusicnnOutput, features: Features = .penultimate) -> [Float] {
        let d = features.size
        let half = MusicnnModel.pooledChannels
        var mean = [Double](repeating: 0, count: d)
        for p in 0..<output.patchCount {
            switch features {
            case .penultimate: for i in 0..<d { mean[i] += Double(output.penultimate[p * d + i]) }
            case .pooled:
                for i in 0..<half {
                    mean[i] += Double(output.maxPool[p * half + i])
                    mean[half + i] += Double(output.meanPool[p * half + i])
                }
            }
        }
        return mean.map { Float($0 / Double(max(output.patchCount, 1))) }
    }

    /// This head's embedding of a musicnn output.
    public func embedding(_ output: MusicnnOutput) -> [Float] { Self.embedding(output, features: features) }

    /// Concepts then outputs for one embedding.
    public func predict(embedding e: [Float]) -> (concepts: [Float], output: [Float]) {
        let c = conceptNames.count
        var concepts = conceptBias
        for i in 0..<c {
            var sum = Double(concepts[i])
            for j in 0..<embeddingSize { sum += Double(conceptWeights[i * embeddingSize + j]) * Double(e[j]) }
            concepts[i] = Float(sum)
        }
        var output = outputBias
        for k in 0..<outputNames.count {
            var sum = Double(output[k])
            for i in 0..<c { sum += Double(outputWeights[k * c + i]) * Double(concepts[i]) }
            output[k] = Float(sum)
        }
        return (concepts, output)
    }

    /// The tensors of the model file.
    public func tensors() -> [String: Tensor] {
        [
            "concepts.weight": Tensor(floats: conceptWeights, shape: [conceptNames.count, embeddingSize]),
            "concepts.bias": Tensor(floats: conceptBias, shape: [conceptNames.count]),
            "output.weight": Tensor(floats: outputWeights, shape: [outputNames.count, conceptNames.count]),
            "output.bias": Tensor(floats: outputBias, shape: [outputNames.count]),
        ]
    }
}

import Core
import DSP
import Foundation
import Store
import TestSupport
import Testing

@testable import Inference

/// Trained heads on the RF-ResNet trunk: the optional intercepts of the two linear layers and a
/// checkpoint whose layers are replaced while its trunk stays byte-identical.
@Suite struct RFResNetTrainedHeadsTests {
    static let weights = Result { try Safetensors.read(contentsOf: Fixtures.url("rfresnet/weights.safetensors")) }

    /// A small deterministic input (149 bands × 24 frames).
    func input(batch: Int = 2) -> FeatureMap {
        var rng = SplitMix64(seed: 7)
        let count = batch * 149 * 24
        let values = (0..<count).map { _ in Float(rng.next() % 1000) / 500 - 1 }
        return FeatureMap(batch: batch, channels: 1, height: 149, width: 24, values: values)
    }

    func randomLayer(_ count: Int, seed: UInt64) -> [Float] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { _ in Float(rng.next() % 2001) / 1000 - 1 }
    }

    @Test func replacedLayersWithInterceptsAreWhatTheForwardPassApplies() throws {
        let original = try Self.weights.get()
        let trunk = try RFResNet(weights: original)
        let w1 = randomLayer(7 * trunk.embeddingChannels, seed: 1)
        let b1 = randomLayer(7, seed: 2)
        let w2 = randomLayer(14, seed: 3)
        let b2 = randomLayer(2, seed: 4)
        let tensors = try RFResNet.replacingHeads(
            in: original, conceptWeights: w1, conceptBias: b1, outputWeights: w2, outputBias: b2)
        for (key, tensor) in original where !key.hasPrefix("concepts_layer") && !key.hasPrefix("feed_forward") {
            #expect(tensors[key] == tensor, "\(key) is kept")
        }
        let x = input()
        let base = try trunk.forward(x)
        let trained = try RFResNet(weights: tensors).forward(x)
        #expect(trained.pooled == base.pooled, "the trunk is unchanged")
        let d = trunk.embeddingChannels
        for n in 0..<2 {
            var concepts = [Double](repeating: 0, count: 7)
            for c in 0..<7 {
                concepts[c] = Double(b1[c])
                for j in 0..<d { concepts[c] += Double(w1[c * d + j]) * Double(base.pooled[n * d + j]) }
                #expect(abs(Double(trained.concepts[n * 7 + c]) - concepts[c]) <= 1e-4 * max(1, abs(concepts[c])))
            }
            for o in 0..<2 {
                let expected = (0..<7).reduce(Double(b2[o])) { $0 + Double(w2[o * 7 + $1]) * concepts[$1] }
                #expect(abs(Double(trained.output[n * 2 + o]) - expected) <= 1e-4 * max(1, abs(expected)))
            }
        }
    }

    @Test func layersOfTheWrongSizeAreRefused() throws {
        let original = try Self.weights.get()
        #expect(throws: ModelError.self) {
            _ = try RFResNet.replacingHeads(
                in: original, conceptWeights: [Float](repeating: 0, count: 7 * 200), conceptBias: [Float](repeating: 0, count: 7),
                outputWeights: [Float](repeating: 0, count: 14), outputBias: [0, 0])
        }
        var tensors = original
        tensors["feed_forward.bias"] = Tensor(floats: [0, 0, 0], shape: [3])
        #expect(throws: ModelError.self) { _ = try RFResNet(weights: tensors) }
    }
}

import Core

extension RFResNet {
    /// The state-dict tensors of `checkpoint` with its two linear layers replaced by trained ones
    /// (weights and intercepts; see `conceptBias`): the conv trunk and its batch-norm statistics are
    /// kept byte for byte, so the result is an RF-ResNet file like any other whose pooled embedding
    /// is the one the layers were fitted on. The checkpoint is checked by loading it, the layers'
    /// sizes against its embedding width.
    /// - Parameters:
    ///   - conceptWeights: 7 × `embeddingChannels`, row-major; `conceptBias`: 7.
    ///   - outputWeights: 2 × 7, row-major; `outputBias`: 2.
    public static func replacingHeads(
        in checkpoint: [String: Tensor], conceptWeights: [Float], conceptBias: [Float], outputWeights: [Float],
        outputBias: [Float]
    ) throws(ModelError) -> [String: Tensor] {
        let trunk = try RFResNet(weights: checkpoint, winograd: false)
        let c = conceptNames.count
        let o = outputNames.count
        guard conceptWeights.count == c * trunk.embeddingChannels, conceptBias.count == c, outputWeights.count == o * c,
            outputBias.count == o
        else {
            throw .inputShape(
                model: name,
                reason: "trained layers do not match \(c) concepts, \(o) outputs and a \(trunk.embeddingChannels)-d embedding")
        }
        var tensors = checkpoint
        tensors["concepts_layer.2.weight"] = Tensor(floats: conceptWeights, shape: [c, trunk.embeddingChannels])
        tensors["concepts_layer.2.bias"] = Tensor(floats: conceptBias, shape: [c])
        tensors["feed_forward.weight"] = Tensor(floats: outputWeights, shape: [o, c])
        tensors["feed_forward.bias"] = Tensor(floats: outputBias, shape: [o])
        return tensors
    }
}

import Core
import Foundation
import Inference
import Store

/// `stemtrace model run`: a model on tensors from a safetensors file, so users can check a
/// conversion against their own framework. The input file holds a float32 tensor `input`; the
/// output holds one tensor per model output under the model's names (RF-ResNet: `concepts`,
/// `output`, `embedding`).
public enum ModelRun {
    public static func run(model url: URL, input: URL, output: URL) throws -> [String: [Int]] {
        let loaded = try LoadedModel(contentsOf: url)
        let tensors = try Safetensors.read(contentsOf: input)
        guard let x = tensors["input"] else {
            throw PipelineError.invalidOption(
                "\(input.path) has no tensor named 'input' (found: \(tensors.keys.sorted().joined(separator: ", ")))")
        }
        guard x.dtype == .f32 else {
            throw PipelineError.invalidOption("\(input.path): 'input' is \(x.dtype.rawValue), expected F32")
        }
        var outputs: [String: Tensor] = [:]
        switch loaded.kind {
        case .rfresnet:
            let model = try RFResNet(weights: loaded.tensors)
            // Accept [F, T], [C, F, T] or [N, C, F, T].
            let shape = Array(repeating: 1, count: max(0, 4 - x.shape.count)) + x.shape
            guard shape.count == 4 else {
                throw PipelineError.invalidOption("'input' must have 2 to 4 dimensions, has shape \(x.shape)")
            }
            let map = FeatureMap(batch: shape[0], channels: shape[1], height: shape[2], width: shape[3], values: try x.floats())
            let result = try model.forward(map)
            outputs["concepts"] = Tensor(floats: result.concepts, shape: [map.batch, RFResNet.conceptNames.count])
            outputs["output"] = Tensor(floats: result.output, shape: [map.batch, RFResNet.outputNames.count])
            outputs["embedding"] = Tensor(floats: result.embedding.values, shape: result.embedding.shape)
        case .musicnn:
            outputs = try MusicnnModelRun.run(loaded, input: x)
        case .musicnnLinear:
            // Input: pooled musicnn embeddings [N, 200].
            let head = try MusicnnLinearModel(loaded)
            guard x.shape.count == 2, x.shape[1] == head.embeddingSize else {
                throw PipelineError.invalidOption("'input' must be [N, \(head.embeddingSize)] embeddings, has shape \(x.shape)")
            }
            let values = try x.floats()
            var concepts: [Float] = []
            var output: [Float] = []
            for n in 0..<x.shape[0] {
                let r = head.predict(embedding: Array(values[(n * head.embeddingSize)..<((n + 1) * head.embeddingSize)]))
                concepts += r.concepts
                output += r.output
            }
            outputs["concepts"] = Tensor(floats: concepts, shape: [x.shape[0], head.conceptNames.count])
            outputs["output"] = Tensor(floats: output, shape: [x.shape[0], head.outputNames.count])
        }
        for (name, tensor) in outputs.sorted(by: { $0.key < $1.key }) where tensor.firstNonFiniteIndex() != nil {
            throw ModelError.nonFiniteOutput(model: loaded.id, input: input.path, target: name)
        }
        try Safetensors.write(outputs, metadata: ["model": loaded.id, "kind": loaded.kind.rawValue], to: output)
        return outputs.mapValues(\.shape)
    }
}

import Core
import Foundation
import Inference

/// `stemtrace model run`: a model on tensors from a safetensors file, so users can check a
/// conversion against their own framework. The input file holds a float32 tensor `input`; the
/// output holds one tensor per model output under the model's names (RF-ResNet: `concepts`,
/// `output`, `embedding`).
public enum ModelRun {
    public static func run(model url: URL, input: URL, output: URL) throws -> [String: [Int]] {
        let loaded = try LoadedModel(contentsOf: url)
        let tensors = try Safetensors.read(contentsOf: input)
        guard let x = tensors["input"] else {
            throw ModelUseError.invalid(
                "\(input.path) has no tensor named 'input' (found: \(tensors.keys.sorted().joined(separator: ", ")))")
        }
        guard x.dtype == .f32 else {
            throw ModelUseError.invalid("\(input.path): 'input' is \(x.dtype.rawValue), expected F32")
        }
        let outputs = try loaded.definition.run(loaded, input: x)
        for (name, tensor) in outputs.sorted(by: { $0.key < $1.key }) where tensor.firstNonFiniteIndex() != nil {
            throw ModelError.nonFiniteOutput(model: loaded.id, input: input.path, target: name)
        }
        try Safetensors.write(outputs, metadata: ["model": loaded.id, "kind": loaded.kind.rawValue], to: output)
        return outputs.mapValues(\.shape)
    }
}

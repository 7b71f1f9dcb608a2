import CVectorMath
import Core

/// Why a model could not be loaded or run; weight errors name the tensor.
public enum ModelError: Error, Equatable, CustomStringConvertible {
    case missingWeight(model: String, name: String)
    case weightShape(model: String, name: String, expected: String, actual: [Int])
    case inputShape(model: String, reason: String)
    case unreadable(path: String, reason: String)
    /// A weight is NaN or ±Inf: refused at load, so no prediction is ever made with it.
    case nonFiniteWeight(path: String, tensor: String, index: Int)
    /// The model produced NaN or ±Inf (finite but huge weights overflow): refused, never stored.
    case nonFiniteOutput(model: String, input: String, target: String)

    public var description: String {
        switch self {
        case let .missingWeight(m, n): "\(m): weight '\(n)' is missing"
        case let .weightShape(m, n, e, a): "\(m): weight '\(n)' has shape \(a), expected \(e)"
        case let .inputShape(m, r): "\(m): \(r)"
        case let .unreadable(p, r): "\(p): cannot load model: \(r)"
        case let .nonFiniteWeight(p, t, i): "\(p): cannot load model: weight '\(t)' has a NaN or infinite value at element \(i)"
        case let .nonFiniteOutput(m, input, t):
            "model \(m) gave a NaN or infinite value for target '\(t)' on \(input); the result is not stored"
        }
    }
}

extension ModelError {
    /// Refuses model outputs with NaN or ±Inf in them (finite but huge weights overflow): throws
    /// `nonFiniteOutput` for the first such value, naming the model, the input and `target(index)`.
    /// Such a result is never stored, and never silently dropped.
    public static func requireFinite(
        _ values: [Float], model: String, input: String, target: (Int) -> String
    ) throws(ModelError) {
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw .nonFiniteOutput(model: model, input: input, target: target(bad))
        }
    }
}

/// Typed access to a model's named float32 tensors with shape checks.
struct WeightTable {
    let model: String
    let tensors: [String: Tensor]

    func tensor(_ name: String, rank: Int) throws(ModelError) -> (shape: [Int], values: [Float]) {
        let (shape, values) = try floatBytes(name, rank: rank)
        return (shape, values.withFloats { Array($0) })
    }

    /// The float32 tensor `name` of rank `rank`, its values checked finite where they lie in the
    /// file's buffer (not copied).
    func floatBytes(_ name: String, rank: Int) throws(ModelError) -> (shape: [Int], values: FloatBytes) {
        guard let t = tensors[name] else { throw .missingWeight(model: model, name: name) }
        guard t.shape.count == rank, t.dtype == .f32 else {
            throw .weightShape(model: model, name: name, expected: "a float32 tensor of rank \(rank)", actual: t.shape)
        }
        let values = FloatBytes(t.bytes)
        // A vector scan (CVectorMath): spleeter's 78 MB of weights took 20 ms with a scalar one.
        let bad = values.withFloats { stemtrace_first_non_finite($0.baseAddress, $0.count) }
        if bad < values.count {
            throw .nonFiniteWeight(path: model, tensor: name, index: bad)
        }
        return (t.shape, values)
    }

    func vector(_ name: String, count: Int) throws(ModelError) -> [Float] {
        let (shape, values) = try tensor(name, rank: 1)
        guard shape == [count] else { throw .weightShape(model: model, name: name, expected: "[\(count)]", actual: shape) }
        return values
    }

    func batchNorm(_ prefix: String, channels: Int) throws(ModelError) -> BatchNormParameters {
        BatchNormParameters(
            weight: try vector("\(prefix).weight", count: channels), bias: try vector("\(prefix).bias", count: channels),
            mean: try vector("\(prefix).running_mean", count: channels),
            variance: try vector("\(prefix).running_var", count: channels))
    }
}

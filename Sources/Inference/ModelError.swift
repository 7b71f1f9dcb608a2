import Store

/// Why a model could not be loaded or run; weight errors name the tensor.
public enum ModelError: Error, Equatable, CustomStringConvertible {
    case missingWeight(model: String, name: String)
    case weightShape(model: String, name: String, expected: String, actual: [Int])
    case inputShape(model: String, reason: String)
    case unreadable(path: String, reason: String)

    public var description: String {
        switch self {
        case let .missingWeight(m, n): "\(m): weight '\(n)' is missing"
        case let .weightShape(m, n, e, a): "\(m): weight '\(n)' has shape \(a), expected \(e)"
        case let .inputShape(m, r): "\(m): \(r)"
        case let .unreadable(p, r): "\(p): cannot load model: \(r)"
        }
    }
}

/// Typed access to a model's named float32 tensors with shape checks.
struct WeightTable {
    let model: String
    let tensors: [String: Tensor]

    func tensor(_ name: String, rank: Int) throws(ModelError) -> (shape: [Int], values: [Float]) {
        guard let t = tensors[name] else { throw .missingWeight(model: model, name: name) }
        guard t.shape.count == rank, t.dtype == .f32, let values = try? t.floats() else {
            throw .weightShape(model: model, name: name, expected: "a float32 tensor of rank \(rank)", actual: t.shape)
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

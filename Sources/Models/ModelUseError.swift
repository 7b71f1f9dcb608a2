/// A model that cannot serve the command it was given (e.g. `infer` on the musicnn tagger), or
/// an input the model cannot take.
public enum ModelUseError: Error, Equatable, CustomStringConvertible {
    case unsupported(model: String, kind: ModelKindName, use: String)
    case invalid(String)

    public var description: String {
        switch self {
        case let .unsupported(m, k, u): "\(m) is a \(k) model; \(u)"
        case let .invalid(r): r
        }
    }
}

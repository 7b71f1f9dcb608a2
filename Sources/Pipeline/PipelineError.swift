/// Failures of a whole pipeline command (per-file problems are reported, not thrown).
public enum PipelineError: Error, Equatable, CustomStringConvertible {
    case missingInput(path: String)
    case badMetadata(path: String, reason: String)
    case invalidOption(String)
    case io(path: String, reason: String)

    public var description: String {
        switch self {
        case let .missingInput(p): "\(p): no such file or directory"
        case let .badMetadata(p, r): "\(p): cannot use as metadata: \(r)"
        case let .invalidOption(r): r
        case let .io(p, r): "\(p): \(r)"
        }
    }
}

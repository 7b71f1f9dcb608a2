/// Why a query cannot answer; each case says what is missing and how to get it.
public enum AnalysisError: Error, Equatable, CustomStringConvertible {
    /// Nothing of the kind needed exists yet (e.g. no explanations, no labels).
    case missing(String)
    /// A filter matches several things where one is needed (e.g. two models).
    case ambiguous(what: String, candidates: [String])
    /// A filter value that matches nothing.
    case unknown(what: String, value: String, known: [String])
    case invalidOption(String)

    public var description: String {
        switch self {
        case let .missing(text): text
        case let .ambiguous(what, candidates): "several \(what) match (\(candidates.joined(separator: ", "))); choose one"
        case let .unknown(what, value, known):
            "no \(what) '\(value)'" + (known.isEmpty ? "" : " (known: \(known.prefix(30).joined(separator: ", ")))")
        case let .invalidOption(text): text
        }
    }
}

/// Errors of the explanation maths (composition, regression), with the values that caused them.
public enum ExplainError: Error, Equatable, CustomStringConvertible {
    case noComponents
    case invalidSegmentCount(Int)
    case stemLengthsDiffer([String])
    case tooManyComponents(Int)
    case labelShape(rows: Int, expectedRows: Int)
    case nonFiniteLabels(row: Int, target: Int)

    public var description: String {
        switch self {
        case .noComponents: "there are no components to explain with (no stems)"
        case let .invalidSegmentCount(n): "invalid number of temporal segments: \(n)"
        case let .stemLengthsDiffer(lengths): "stems differ in length: \(lengths.joined(separator: ", "))"
        case let .tooManyComponents(k): "\(k) components; at most 64 are supported"
        case let .labelShape(rows, expected): "the model returned \(rows) rows for \(expected) masks"
        case let .nonFiniteLabels(row, target): "the model returned a non-finite value for mask \(row), target \(target)"
        }
    }
}

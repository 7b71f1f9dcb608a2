/// Why an explanation could not be computed; each case names the offending input.
public enum ExplainError: Error, Equatable, CustomStringConvertible {
    /// There are no components to explain with (no stems).
    case noComponents
    /// The number of temporal segments is below 1 or leaves segments without samples.
    case invalidSegmentCount(Int)
    /// Stems of one excerpt differ in length (name: length for each).
    case stemLengthsDiffer([String])
    /// The front end does not define this signal conditioning (e.g. zero trimming for musicnn).
    case conditioningUnsupported(String)
    /// More components than a mask bit set holds.
    case tooManyComponents(Int)
    /// An array does not hold the number of values its declared shape needs.
    case shapeMismatch(what: String, expected: Int, actual: Int)
    /// A label is NaN or infinite (scikit-learn rejects these; the reference's all-zero row can produce them).
    case nonFiniteLabel(row: Int, target: Int, value: Double)
    /// A design value is NaN or infinite.
    case nonFiniteDesign(row: Int, column: Int, value: Double)
    /// A sample weight is negative, NaN or infinite, or the weights sum to zero.
    case invalidWeights(reason: String)
    /// A LAPACK routine reported an illegal argument or failed to converge.
    case lapack(routine: String, info: Int)

    public var description: String {
        switch self {
        case .noComponents: "there are no components to explain with (no stems)"
        case let .invalidSegmentCount(n): "invalid number of temporal segments: \(n)"
        case let .stemLengthsDiffer(lengths): "stems differ in length: \(lengths.joined(separator: ", "))"
        case let .conditioningUnsupported(mode): "this model's front end does not support --composition \(mode)"
        case let .tooManyComponents(k): "\(k) components; at most 64 are supported"
        case let .shapeMismatch(what, expected, actual): "\(what): expected \(expected) values, got \(actual)"
        case let .nonFiniteLabel(row, target, value): "label of row \(row), target \(target) is \(value), not finite"
        case let .nonFiniteDesign(row, column, value): "design value at row \(row), column \(column) is \(value), not finite"
        case let .invalidWeights(reason): "sample weights: \(reason)"
        case let .lapack(routine, info): "LAPACK \(routine) failed with info = \(info)"
        }
    }
}

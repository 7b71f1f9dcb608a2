/// Why a linear layer could not be trained: the input is malformed (shapes, non-finite values, a
/// constant target, too few rows or groups for the folds) or a LAPACK solve failed. Rows and
/// columns are 0-based indices into the row-major matrices as given.
public enum TrainingError: Error, Equatable, CustomStringConvertible, Sendable {
    /// A matrix's value count does not match its shape (`what` names the matrix and its shape).
    case shapeMismatch(what: String, expected: Int, actual: Int)
    /// A design with no feature columns, or targets with no columns.
    case emptyShape(what: String)
    /// A feature value is NaN or infinite.
    case nonFiniteFeature(row: Int, column: Int, value: Double)
    /// A target value is NaN or infinite (`name` is the target column's name).
    case nonFiniteTarget(row: Int, column: Int, name: String, value: Double)
    /// Every labelled row has the same value of this target: there is nothing to regress on and
    /// R² is undefined.
    case constantTarget(name: String, value: Double)
    /// Fewer labelled rows than cross-validation needs (at least two per fold).
    case tooFewRows(labelled: Int, required: Int)
    /// k-fold cross-validation needs k ≥ 2.
    case tooFewFolds(Int)
    /// More folds than rows to spread over them.
    case moreFoldsThanRows(folds: Int, rows: Int)
    /// More folds than distinct groups (group-exclusive folds need one group per fold at least).
    case moreFoldsThanGroups(folds: Int, groups: Int)
    /// Group labels given for a different number of rows.
    case groupCount(expected: Int, actual: Int)
    /// A regularisation strength that is negative or not finite, or an empty α grid.
    case invalidAlpha(String)
    /// A LAPACK routine reported an illegal argument or failed to converge.
    case lapack(routine: String, info: Int)

    public var description: String {
        switch self {
        case let .shapeMismatch(what, expected, actual): "\(what): expected \(expected) values, got \(actual)"
        case let .emptyShape(what): "\(what) is empty"
        case let .nonFiniteFeature(row, column, value): "feature value at row \(row), column \(column) is \(value)"
        case let .nonFiniteTarget(row, column, name, value):
            "target '\(name)' (column \(column)) at row \(row) is \(value)"
        case let .constantTarget(name, value): "target '\(name)' is constant (\(value) on every labelled row)"
        case let .tooFewRows(labelled, required):
            "\(labelled) labelled rows; cross-validation needs at least \(required) (two per fold)"
        case let .tooFewFolds(k): "\(k) folds; cross-validation needs at least 2"
        case let .moreFoldsThanRows(folds, rows): "\(folds) folds but only \(rows) rows"
        case let .moreFoldsThanGroups(folds, groups): "\(folds) folds but only \(groups) groups (every group stays in one fold)"
        case let .groupCount(expected, actual): "\(actual) group labels for \(expected) rows"
        case let .invalidAlpha(reason): "invalid regularisation: \(reason)"
        case let .lapack(routine, info): "LAPACK \(routine) failed (info \(info))"
        }
    }
}

/// Validated training data for one linear layer: a row-major float64 design (rows × features), its
/// row-major targets (rows × targets) with a name per target column, and optional group labels
/// (e.g. the artist of each track) that make cross-validation folds group-exclusive.
///
/// The initialiser rejects mismatched shapes, non-finite values (by row and column) and constant
/// target columns (by name); whether there are enough rows depends on the fold count and is checked
/// by `RidgeCrossValidation`.
public struct TrainingSet: Sendable, Equatable {
    public let rowCount: Int
    public let featureCount: Int
    /// The design X, row-major rows × features.
    public let features: [Double]
    /// The targets Y, row-major rows × targets.
    public let targets: [Double]
    /// One name per target column (e.g. the mid-level concepts, or arousal and valence).
    public let targetNames: [String]
    /// One group label per row, or nil when rows are independent.
    public let groups: [String]?

    public var targetCount: Int { targetNames.count }

    public init(features: [Double], featureCount: Int, targets: [Double], targetNames: [String], groups: [String]? = nil)
        throws(TrainingError)
    {
        guard featureCount > 0 else { throw .emptyShape(what: "feature columns") }
        guard !targetNames.isEmpty else { throw .emptyShape(what: "target columns") }
        guard features.count % featureCount == 0 else {
            throw .shapeMismatch(
                what: "features (a multiple of \(featureCount) columns)",
                expected: (features.count / featureCount + 1) * featureCount, actual: features.count)
        }
        let rowCount = features.count / featureCount
        guard targets.count == rowCount * targetNames.count else {
            throw .shapeMismatch(
                what: "targets (\(rowCount) rows × \(targetNames.count) targets)", expected: rowCount * targetNames.count,
                actual: targets.count)
        }
        if let groups, groups.count != rowCount { throw .groupCount(expected: rowCount, actual: groups.count) }
        try Self.checkFinite(features: features, featureCount: featureCount, targets: targets, targetNames: targetNames)
        try Self.checkNotConstant(targets: targets, rowCount: rowCount, targetNames: targetNames)
        self.rowCount = rowCount
        self.featureCount = featureCount
        self.features = features
        self.targets = targets
        self.targetNames = targetNames
        self.groups = groups
    }

    static func checkFinite(features: [Double], featureCount: Int, targets: [Double], targetNames: [String])
        throws(TrainingError)
    {
        if let bad = features.firstIndex(where: { !$0.isFinite }) {
            throw .nonFiniteFeature(row: bad / featureCount, column: bad % featureCount, value: features[bad])
        }
        let t = targetNames.count
        if let bad = targets.firstIndex(where: { !$0.isFinite }) {
            throw .nonFiniteTarget(row: bad / t, column: bad % t, name: targetNames[bad % t], value: targets[bad])
        }
    }

    private static func checkNotConstant(targets: [Double], rowCount: Int, targetNames: [String]) throws(TrainingError) {
        let t = targetNames.count
        guard rowCount > 1 else { return }  // too few rows is cross-validation's error, not a constant target
        for column in 0..<t {
            let first = targets[column]
            if (1..<rowCount).allSatisfy({ targets[$0 * t + column] == first }) {
                throw .constantTarget(name: targetNames[column], value: first)
            }
        }
    }
}

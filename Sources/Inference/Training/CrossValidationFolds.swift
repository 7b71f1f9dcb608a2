/// An assignment of rows to k cross-validation folds, reproducible from a seed.
///
/// Without groups the rows are shuffled and cut into k contiguous runs whose sizes differ by at most
/// one (the first n mod k folds get the extra row), as scikit-learn's `KFold(shuffle=True)`.
/// With group labels (the paper splits by artist) every group lies entirely in one fold: the
/// distinct groups are shuffled, then taken largest first (ties in shuffled order) and each is put
/// in the fold with the fewest rows so far (ties to the lowest fold index) — scikit-learn's
/// `GroupKFold` greedy balancing, so fold sizes differ by at most the largest group's size.
public struct CrossValidationFolds: Sendable, Codable, Equatable {
    public let foldCount: Int
    /// The fold of every row, in 0..<foldCount.
    public let assignment: [Int]
    /// Whether folds were built from group labels (every group entirely in one fold).
    public let isGroupExclusive: Bool
    /// Distinct groups when group-exclusive, nil otherwise.
    public let groupCount: Int?
    public let seed: UInt64

    public var rowCount: Int { assignment.count }

    /// Rows per fold.
    public var foldSizes: [Int] {
        var sizes = [Int](repeating: 0, count: foldCount)
        for fold in assignment { sizes[fold] += 1 }
        return sizes
    }

    /// k folds of `rowCount` independent rows.
    public init(rowCount: Int, foldCount: Int, seed: UInt64) throws(TrainingError) {
        guard foldCount >= 2 else { throw .tooFewFolds(foldCount) }
        guard rowCount >= foldCount else { throw .moreFoldsThanRows(folds: foldCount, rows: rowCount) }
        var random = SeededShuffle(seed: seed)
        let order = random.shuffled(Array(0..<rowCount))
        var assignment = [Int](repeating: 0, count: rowCount)
        var position = 0
        for fold in 0..<foldCount {
            let size = rowCount / foldCount + (fold < rowCount % foldCount ? 1 : 0)
            for row in order[position..<(position + size)] { assignment[row] = fold }
            position += size
        }
        self.foldCount = foldCount
        self.assignment = assignment
        self.isGroupExclusive = false
        self.groupCount = nil
        self.seed = seed
    }

    /// k group-exclusive folds; `groups[row]` is the row's group label (e.g. its artist).
    public init(groups: [String], foldCount: Int, seed: UInt64) throws(TrainingError) {
        guard foldCount >= 2 else { throw .tooFewFolds(foldCount) }
        var index: [String: Int] = [:]
        var members: [[Int]] = []
        for (row, group) in groups.enumerated() {
            if let g = index[group] {
                members[g].append(row)
            } else {
                index[group] = members.count
                members.append([row])
            }
        }
        guard members.count >= foldCount else { throw .moreFoldsThanGroups(folds: foldCount, groups: members.count) }
        var random = SeededShuffle(seed: seed)
        let shuffled = random.shuffled(Array(members.indices))
        // Largest first; the sort is stable on the shuffled order, so equal sizes keep the seeded order.
        let order = shuffled.enumerated().sorted { a, b in
            let (sa, sb) = (members[a.element].count, members[b.element].count)
            return sa != sb ? sa > sb : a.offset < b.offset
        }.map(\.element)
        var sizes = [Int](repeating: 0, count: foldCount)
        var assignment = [Int](repeating: 0, count: groups.count)
        for g in order {
            var fold = 0
            for f in 1..<foldCount where sizes[f] < sizes[fold] { fold = f }
            for row in members[g] { assignment[row] = fold }
            sizes[fold] += members[g].count
        }
        self.foldCount = foldCount
        self.assignment = assignment
        self.isGroupExclusive = true
        self.groupCount = members.count
        self.seed = seed
    }

    /// The rows held out in `fold`, ascending.
    public func validationRows(fold: Int) -> [Int] {
        assignment.indices.filter { assignment[$0] == fold }
    }

    /// The rows trained on when `fold` is held out, ascending.
    public func trainingRows(fold: Int) -> [Int] {
        assignment.indices.filter { assignment[$0] != fold }
    }
}

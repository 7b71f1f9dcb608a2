import Inference
import Testing

/// `CrossValidationFolds`: partitions, balance, group exclusivity and seeding.
@Suite struct RidgeTrainingFoldTests {
    @Test func rowFoldsPartitionTheRowsInBalancedSeededFolds() throws {
        let folds = try CrossValidationFolds(rowCount: 103, foldCount: 5, seed: 11)
        #expect(folds.foldSizes == [21, 21, 21, 20, 20])
        #expect(!folds.isGroupExclusive && folds.groupCount == nil)
        for fold in 0..<5 {
            let held = folds.validationRows(fold: fold)
            let trained = folds.trainingRows(fold: fold)
            #expect(Set(held).isDisjoint(with: trained))
            #expect((held + trained).sorted() == Array(0..<103))
        }
        #expect(try CrossValidationFolds(rowCount: 103, foldCount: 5, seed: 11) == folds)
        #expect(try CrossValidationFolds(rowCount: 103, foldCount: 5, seed: 12).assignment != folds.assignment)
        // Shuffled: the first fold is not simply the first 21 rows.
        #expect(folds.validationRows(fold: 0) != Array(0..<21))
    }

    @Test func groupFoldsKeepEveryGroupInOneFoldAndBalanceSizes() throws {
        var random = RidgeTrainingRandom(seed: 21)
        var groups: [String] = []
        var largest = 0
        for g in 0..<60 {
            let size = 1 + Int(random.next() % 12)
            largest = max(largest, size)
            groups += Array(repeating: "artist \(g)", count: size)
        }
        // Interleave the rows so groups are not contiguous.
        var order = Array(groups.indices)
        for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, Int(random.next() % UInt64(i + 1))) }
        groups = order.map { groups[$0] }

        let folds = try CrossValidationFolds(groups: groups, foldCount: 5, seed: 3)
        #expect(folds.isGroupExclusive && folds.groupCount == 60)
        var foldOfGroup: [String: Int] = [:]
        for (row, group) in groups.enumerated() {
            let fold = folds.assignment[row]
            #expect(foldOfGroup[group, default: fold] == fold, "\(group) appears in two folds")
            foldOfGroup[group] = fold
        }
        let sizes = folds.foldSizes
        #expect(sizes.reduce(0, +) == groups.count)
        #expect(sizes.allSatisfy { $0 > 0 })
        #expect(try #require(sizes.max()) - (try #require(sizes.min())) <= largest)

        #expect(try CrossValidationFolds(groups: groups, foldCount: 5, seed: 3) == folds)
        #expect(try CrossValidationFolds(groups: groups, foldCount: 5, seed: 4).assignment != folds.assignment)
    }

    @Test func equalGroupsSplitEvenly() throws {
        let groups = (0..<40).map { "artist \($0 / 4)" }  // 10 groups of 4 rows
        let folds = try CrossValidationFolds(groups: groups, foldCount: 5, seed: 0)
        #expect(folds.foldSizes == [8, 8, 8, 8, 8])
    }

    @Test func foldCountsAreChecked() {
        #expect(throws: TrainingError.tooFewFolds(1)) { try CrossValidationFolds(rowCount: 10, foldCount: 1, seed: 0) }
        #expect(throws: TrainingError.moreFoldsThanRows(folds: 5, rows: 4)) {
            try CrossValidationFolds(rowCount: 4, foldCount: 5, seed: 0)
        }
        #expect(throws: TrainingError.moreFoldsThanGroups(folds: 3, groups: 2)) {
            try CrossValidationFolds(groups: ["a", "b", "a", "b", "a", "b"], foldCount: 3, seed: 0)
        }
        #expect(throws: TrainingError.tooFewFolds(0)) { try RidgeCrossValidation(foldCount: 0) }
    }
}

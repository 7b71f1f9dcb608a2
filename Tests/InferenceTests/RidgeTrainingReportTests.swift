import Foundation
import Inference
import Testing

/// Input validation (`TrainingError`) and the Table 1 report.
@Suite struct RidgeTrainingReportTests {
    @Test func tableListsEveryTargetWithMeanAndStd() throws {
        let problem = LinearProblem(noise: 0.3, seed: 31)
        let data = try TrainingSet(
            features: problem.features, featureCount: problem.featureCount, targets: problem.targets,
            targetNames: ["arousal", "valence"])
        let report = try RidgeCrossValidation(foldCount: 5, seed: 2).run(data).report
        let table = report.table()
        let lines = table.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("target") == true && lines.first?.contains("RMSE") == true)
        for target in report.targets {
            let rmse = String(format: "%.3f ± %.3f", target.rmseMean, target.rmseStd)
            let r2 = String(format: "%.3f ± %.3f", try #require(target.r2Mean), try #require(target.r2Std))
            let line = try #require(lines.first { $0.hasPrefix(target.name + " ") })
            #expect(line.contains(rmse) && line.contains(r2), "\(line)")
            #expect(target.rmse.count == 5 && target.r2.count == 5)
        }
        #expect(table.contains(String(format: "α = %.3g", report.alpha)))
        #expect(table.contains("5 folds"))
        #expect(!table.contains("*"))
    }

    @Test func summariesAreMeanAndPopulationStd() {
        let scores = TrainingReport.TargetScores(name: "melody", rmse: [1, 2, 3, 4], r2: [0.5, nil, 0.7, 0.9])
        #expect(scores.rmseMean == 2.5)
        #expect(abs(scores.rmseStd - 1.25.squareRoot()) < 1e-15)
        #expect(abs((scores.r2Mean ?? .nan) - 0.7) < 1e-15)
        #expect(abs((scores.r2Std ?? .nan) - (0.08 / 3).squareRoot()) < 1e-15)
        #expect(scores.r2FoldCount == 3)
    }

    @Test func rSquaredIsNullOnAFoldWhereTheTargetIsConstant() throws {
        // Two artists, two folds: the target is constant within artist "a" but not overall.
        let problem = LinearProblem(rows: 40, targets: 1, noise: 0.1, seed: 32)
        let groups = (0..<40).map { $0 < 20 ? "a" : "b" }
        var targets = problem.targets
        for i in 0..<20 { targets[i] = 5 }
        let data = try TrainingSet(
            features: problem.features, featureCount: problem.featureCount, targets: targets, targetNames: ["tonal_stability"],
            groups: groups)
        let result = try RidgeCrossValidation(foldCount: 2, seed: 0).run(data)
        let scores = try #require(result.report.targets.first)
        let constantFold = result.folds.assignment[0]
        #expect(scores.r2[constantFold] == nil)
        #expect(scores.r2[1 - constantFold] != nil)
        #expect(scores.r2FoldCount == 1 && scores.r2Std == 0)
        #expect(scores.rmse.allSatisfy { $0.isFinite })
        #expect(result.report.table().contains("tonal_stability (1 of 2)"))

        let json = try JSONEncoder().encode(result.report)
        #expect(String(decoding: json, as: UTF8.self).contains("null"))
        #expect(try JSONDecoder().decode(TrainingReport.self, from: json) == result.report)
    }

    @Test func aConstantTargetIsNamed() {
        let problem = LinearProblem(targets: 2, noise: 0.1, seed: 33)
        var targets = problem.targets
        for i in 0..<problem.rowCount { targets[i * 2 + 1] = 4.5 }
        #expect(throws: TrainingError.constantTarget(name: "valence", value: 4.5)) {
            try TrainingSet(
                features: problem.features, featureCount: problem.featureCount, targets: targets,
                targetNames: ["arousal", "valence"])
        }
        #expect(TrainingError.constantTarget(name: "valence", value: 4.5).description.contains("'valence'"))
    }

    @Test func tooFewLabelledRowsForTheFolds() throws {
        let problem = LinearProblem(rows: 9, targets: 1, noise: 0.1, seed: 34)
        let data = try TrainingSet(
            features: problem.features, featureCount: problem.featureCount, targets: problem.targets, targetNames: ["melody"])
        #expect(throws: TrainingError.tooFewRows(labelled: 9, required: 10)) {
            try RidgeCrossValidation(foldCount: 5).run(data)
        }
        #expect(throws: Never.self) { try RidgeCrossValidation(foldCount: 4).run(data) }
    }

    @Test func nonFiniteValuesAreLocatedByRowAndColumn() {
        let problem = LinearProblem(rows: 20, targets: 2, noise: 0.1, seed: 35)
        var features = problem.features
        features[3 * problem.featureCount + 7] = .nan
        do {
            _ = try TrainingSet(
                features: features, featureCount: problem.featureCount, targets: problem.targets, targetNames: ["a", "v"])
            Issue.record("a NaN feature was accepted")
        } catch {
            guard case let .nonFiniteFeature(row, column, value) = error else {
                Issue.record("wrong error \(error)")
                return
            }
            #expect(row == 3 && column == 7 && value.isNaN)
            #expect(error.description.contains("row 3, column 7"))
        }
        var targets = problem.targets
        targets[4 * 2 + 1] = -.infinity
        #expect(throws: TrainingError.nonFiniteTarget(row: 4, column: 1, name: "v", value: -.infinity)) {
            try TrainingSet(
                features: problem.features, featureCount: problem.featureCount, targets: targets, targetNames: ["a", "v"])
        }
    }

    @Test func mismatchedShapesAreRejected() {
        let problem = LinearProblem(rows: 20, targets: 2, noise: 0.1, seed: 36)
        #expect(throws: TrainingError.shapeMismatch(what: "targets (20 rows × 3 targets)", expected: 60, actual: 40)) {
            try TrainingSet(
                features: problem.features, featureCount: problem.featureCount, targets: problem.targets,
                targetNames: ["a", "b", "c"])
        }
        #expect(throws: TrainingError.groupCount(expected: 20, actual: 19)) {
            try TrainingSet(
                features: problem.features, featureCount: problem.featureCount, targets: problem.targets,
                targetNames: ["a", "v"], groups: Array(repeating: "x", count: 19))
        }
        #expect(throws: TrainingError.self) {
            try TrainingSet(features: [1, 2, 3], featureCount: 2, targets: [1], targetNames: ["a"])
        }
        #expect(throws: TrainingError.invalidAlpha("α = -1.0 (must be finite and ≥ 0)")) {
            try RidgeRegression.fit(
                features: problem.features, featureCount: problem.featureCount, targets: problem.targets, targetCount: 2,
                alpha: -1)
        }
        #expect(throws: TrainingError.self) {
            try RidgeRegression.fit(
                features: problem.features, featureCount: problem.featureCount, targets: problem.targets, targetCount: 2, alpha: 1
            )
            .predict([1, 2, 3])
        }
    }
}

import Foundation
import Inference
import Testing

/// `RidgeRegression` and `RidgeCrossValidation` against linear problems with known answers.
@Suite struct RidgeTrainingTests {
    @Test(arguments: [true, false])
    func recoversAKnownLinearMapExactly(standardise: Bool) throws {
        let problem = LinearProblem(noise: 1e-9, seed: 1)
        let model = try RidgeRegression.fit(
            features: problem.features, featureCount: problem.featureCount, targets: problem.targets,
            targetCount: problem.targetCount, alpha: 1e-10, standardise: standardise)
        #expect(model.solveMethod == .cholesky)
        #expect(maxAbsDifference(model.weights, problem.weights) < 1e-6)
        #expect(maxAbsDifference(model.bias, problem.bias) < 1e-6)
    }

    @Test func crossValidationOnNoisyLinearDataPicksASmallAlphaAndRSquaredNearOne() throws {
        let problem = LinearProblem(noise: 0.01, seed: 2)
        let data = try TrainingSet(
            features: problem.features, featureCount: problem.featureCount, targets: problem.targets,
            targetNames: ["arousal", "valence"])
        let result = try RidgeCrossValidation(foldCount: 5, seed: 7).run(data)
        #expect(result.report.alpha <= 0.1)
        for target in result.report.targets {
            #expect(target.r2.allSatisfy { ($0 ?? 0) > 0.9999 })
            #expect(target.rmseMean > 0.008 && target.rmseMean < 0.013)
        }
        // Each weight is known to about noise / (scale · √n); compare them on the features' scale.
        let d = problem.featureCount
        for (index, weight) in result.model.weights.enumerated() {
            #expect(abs(weight - problem.weights[index]) * problem.featureScales[index % d] < 5e-3)
        }
    }

    /// One target linear in the features, one pure noise: per target, the first gets a small α and
    /// R² near 1, the noise the largest α (shrunk to its mean); each column of the refitted model
    /// is the plain ridge fit with that target's α. One shared α cannot do both: it follows the
    /// linear target and over-fits the noise.
    @Test func alphaPerTargetShrinksANoiseTargetWithoutHoldingBackALinearOne() throws {
        let problem = LinearProblem(noise: 0.01, seed: 5)
        var random = RidgeTrainingRandom(seed: 6)
        let n = problem.rowCount
        let targets = (0..<n).flatMap { i in [problem.targets[i * 2], random.normal()] }
        let data = try TrainingSet(
            features: problem.features, featureCount: problem.featureCount, targets: targets,
            targetNames: ["linear", "noise"])
        let perTarget = try RidgeCrossValidation(foldCount: 5, seed: 7, alphaPerTarget: true).run(data)
        let linear = perTarget.report.targets[0]
        let noise = perTarget.report.targets[1]
        #expect((linear.alpha ?? .infinity) <= 0.1 && (linear.r2Mean ?? 0) > 0.9999)
        #expect(noise.alpha == RidgeCrossValidation.defaultAlphas.last, "the noise target is shrunk as far as the grid goes")
        #expect(perTarget.model.targetAlphas == [linear.alpha, noise.alpha].compactMap { $0 })
        #expect(perTarget.report.alphaPerTarget && perTarget.report.table().contains("α chosen per target"))
        for (k, alpha) in perTarget.model.targetAlphas.enumerated() {
            let single = try RidgeRegression.fit(
                features: problem.features, featureCount: problem.featureCount,
                targets: (0..<n).map { targets[$0 * 2 + k] }, targetCount: 1, alpha: alpha)
            let d = problem.featureCount
            #expect(maxAbsDifference(Array(perTarget.model.weights[(k * d)..<((k + 1) * d)]), single.weights) < 1e-9)
            #expect(abs(perTarget.model.bias[k] - single.bias[0]) < 1e-9)
        }

        let shared = try RidgeCrossValidation(foldCount: 5, seed: 7).run(data)
        #expect(!shared.report.alphaPerTarget && Set(shared.model.targetAlphas).count == 1)
        // The shared α suits the linear target and over-fits the noise, whose held-out R² is worse.
        #expect((shared.report.targets[1].r2Mean ?? 1) < (noise.r2Mean ?? 0))
    }

    @Test(arguments: [true, false])
    func theInterceptIsNotPenalised(standardise: Bool) throws {
        let problem = LinearProblem(noise: 0.1, seed: 3)
        // Shifted far from zero, so a penalised intercept (shrunk towards 0) could not pass.
        let targets = problem.targets.map { $0 + 50 }
        let means = problem.targetMeans.map { $0 + 50 }
        #expect(means.allSatisfy { $0 > 20 })
        let model = try RidgeRegression.fit(
            features: problem.features, featureCount: problem.featureCount, targets: targets,
            targetCount: problem.targetCount, alpha: 1e20, standardise: standardise)
        #expect(model.weights.allSatisfy { abs($0) < 1e-9 })
        #expect(maxAbsDifference(model.bias, means) < 1e-9)
        let predicted = try model.predict(Array(problem.features.prefix(problem.featureCount)))
        #expect(maxAbsDifference(predicted, means) < 1e-9)
    }

    @Test func standardisationFoldsBackIntoAPlainLinearLayer() throws {
        // Columns spanning 1e-3 … 1e3 in scale around offsets of 1e3, so the fold-back is not the identity.
        var random = RidgeTrainingRandom(seed: 4)
        let (n, d, t) = (150, 12, 3)
        let features = (0..<(n * d)).map { index in 1e3 + pow(10, Double(index % d % 7 - 3)) * random.normal() }
        let targets = (0..<(n * t)).map { _ in random.normal() }
        let model = try RidgeRegression.fit(
            features: features, featureCount: d, targets: targets, targetCount: t, alpha: 1, standardise: true)
        #expect(maxAbsDifference(model.weights, model.standardisedWeights) > 1e-3)
        #expect(maxAbsDifference(model.bias, model.targetMeans) > 1e-3)

        let reference = try model.predictThroughStandardisation(features)
        // The plain layer, written out: ŷₖ = Σⱼ Wₖⱼ xⱼ + bₖ on the raw features.
        var plain = [Double](repeating: 0, count: n * t)
        for i in 0..<n {
            for k in 0..<t {
                plain[i * t + k] = model.bias[k] + (0..<d).reduce(0) { $0 + model.weights[k * d + $1] * features[i * d + $1] }
            }
        }
        #expect(maxAbsDifference(plain, reference) < 1e-9)
        #expect(maxAbsDifference(try model.predict(features), reference) < 1e-9)
    }

    @Test func standardisingDoesNotChangeAnUnregularisedFitButChangesARegularisedOne() throws {
        let problem = LinearProblem(noise: 0.05, seed: 5)
        func fit(alpha: Double, standardise: Bool) throws -> RidgeRegression {
            try RidgeRegression.fit(
                features: problem.features, featureCount: problem.featureCount, targets: problem.targets,
                targetCount: problem.targetCount, alpha: alpha, standardise: standardise)
        }
        let (a, b) = (try fit(alpha: 0, standardise: true), try fit(alpha: 0, standardise: false))
        #expect(maxAbsDifference(a.weights, b.weights) < 1e-9)
        let (c, e) = (try fit(alpha: 10, standardise: true), try fit(alpha: 10, standardise: false))
        #expect(maxAbsDifference(c.weights, e.weights) > 1e-2)
    }

    @Test func aPureNoiseTargetGetsALargeAlphaAndNoExplainedVariance() throws {
        var random = RidgeTrainingRandom(seed: 6)
        let problem = LinearProblem(noise: 0, seed: 6)
        let noise = (0..<problem.rowCount).map { _ in random.normal() }
        let data = try TrainingSet(
            features: problem.features, featureCount: problem.featureCount, targets: noise, targetNames: ["noise"])
        let report = try RidgeCrossValidation(foldCount: 5, seed: 1).run(data).report
        #expect(report.alpha >= 100)
        let target = try #require(report.targets.first)
        #expect(try #require(target.r2Mean) < 0.02)
        #expect(report.validationMSE.last.map { $0 <= report.validationMSE[0] } == true)
    }

    @Test func aZeroColumnAtAlphaZeroFallsBackToLeastSquares() throws {
        let problem = LinearProblem(targets: 1, noise: 0, seed: 8)
        let d = problem.featureCount + 1
        var features: [Double] = []
        for i in 0..<problem.rowCount {
            features += problem.features[(i * problem.featureCount)..<((i + 1) * problem.featureCount)] + [0]
        }
        let model = try RidgeRegression.fit(
            features: features, featureCount: d, targets: problem.targets, targetCount: 1, alpha: 0, standardise: false)
        #expect(model.solveMethod == .leastSquares)
        #expect(abs(model.weights[d - 1]) < 1e-12)
        #expect(maxAbsDifference(Array(model.weights.prefix(problem.featureCount)), problem.weights) < 1e-8)
        #expect(maxAbsDifference(model.bias, problem.bias) < 1e-8)
    }

    @Test func crossValidationUsesGroupExclusiveFoldsWhenGroupsAreGiven() throws {
        let problem = LinearProblem(noise: 0.1, seed: 9)
        let artists = (0..<problem.rowCount).map { "artist \($0 % 23)" }
        let data = try TrainingSet(
            features: problem.features, featureCount: problem.featureCount, targets: problem.targets,
            targetNames: ["arousal", "valence"], groups: artists)
        let result = try RidgeCrossValidation(foldCount: 4, seed: 3).run(data)
        #expect(result.folds.isGroupExclusive)
        #expect(result.report.groupCount == 23)
        #expect(result.report.foldSizes == result.folds.foldSizes)
        for artist in Set(artists) {
            #expect(Set(artists.indices.filter { artists[$0] == artist }.map { result.folds.assignment[$0] }).count == 1)
        }
        let again = try RidgeCrossValidation(foldCount: 4, seed: 3).run(data)
        #expect(again.report == result.report && again.model == result.model)
    }
}

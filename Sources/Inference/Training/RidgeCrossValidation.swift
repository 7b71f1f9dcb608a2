import Foundation

/// Chooses a ridge regression's α by k-fold cross-validation and refits on every row: for each α
/// of the grid and each fold, fit on the other folds and score the held-out fold; pick the α with
/// the smallest validation MSE averaged over folds (unweighted) and over targets (one α for all
/// targets; ties go to the larger α); refit on all rows with it. With `alphaPerTarget` each
/// target gets the α with its own smallest validation MSE (scikit-learn's
/// `RidgeCV(alpha_per_target=True)`): targets of a multi-output ridge are independent problems,
/// so a target the features cannot predict is shrunk to its mean without holding back the others.
/// Folds are group-exclusive when the training set has group labels (`CrossValidationFolds`). Every fit standardises with its own
/// training rows' statistics, so no held-out row leaks into a fold's model.
public struct RidgeCrossValidation: Sendable {
    /// 15 values, logarithmic from 10⁻³ to 10⁴ (half a decade apart).
    public static let defaultAlphas: [Double] = (0..<15).map { pow(10, -3 + Double($0) / 2) }

    /// The α grid, ascending.
    public let alphas: [Double]
    public let foldCount: Int
    /// Seeds the fold assignment.
    public let seed: UInt64
    /// Whether features are z-scored before each fit (see `RidgeRegression`).
    public let standardise: Bool
    /// One α per target instead of one for all.
    public let alphaPerTarget: Bool

    /// What cross-validation produced: the model refitted on all rows with the chosen α, its report
    /// (the paper's Table 1 numbers) and the folds used.
    public struct Result: Sendable {
        public let model: RidgeRegression
        public let report: TrainingReport
        public let folds: CrossValidationFolds
    }

    public init(
        alphas: [Double] = defaultAlphas, foldCount: Int = 5, seed: UInt64 = 0, standardise: Bool = true,
        alphaPerTarget: Bool = false
    ) throws(TrainingError) {
        guard foldCount >= 2 else { throw .tooFewFolds(foldCount) }
        guard !alphas.isEmpty else { throw .invalidAlpha("the α grid is empty") }
        for alpha in alphas { try RidgeRegression.checkAlpha(alpha) }
        self.alphas = alphas.sorted()
        self.foldCount = foldCount
        self.seed = seed
        self.standardise = standardise
        self.alphaPerTarget = alphaPerTarget
    }

    /// Cross-validates the grid on `data`, then refits on all its rows.
    public func run(_ data: TrainingSet) throws(TrainingError) -> Result {
        let required = 2 * foldCount
        guard data.rowCount >= required else { throw .tooFewRows(labelled: data.rowCount, required: required) }
        let folds =
            if let groups = data.groups {
                try CrossValidationFolds(groups: groups, foldCount: foldCount, seed: seed)
            } else {
                try CrossValidationFolds(rowCount: data.rowCount, foldCount: foldCount, seed: seed)
            }
        let d = data.featureCount
        let t = data.targetCount

        // residualSquares[a][f][k]: Σ (y − ŷ)² of target k on held-out fold f under alphas[a].
        var residualSquares = [[[Double]]](
            repeating: [[Double]](repeating: [Double](repeating: 0, count: t), count: foldCount), count: alphas.count)
        var validationSizes = [Int](repeating: 0, count: foldCount)
        var totalSquares = [[Double?]](repeating: [Double?](repeating: nil, count: t), count: foldCount)
        for fold in 0..<foldCount {
            let held = folds.validationRows(fold: fold)
            validationSizes[fold] = held.count
            let system = RidgeSystem(
                features: data.features, featureCount: d, targets: data.targets, targetCount: t,
                rows: folds.trainingRows(fold: fold), standardise: standardise)
            let heldFeatures = held.flatMap { data.features[($0 * d)..<(($0 + 1) * d)] }
            let heldTargets = held.flatMap { data.targets[($0 * t)..<(($0 + 1) * t)] }
            totalSquares[fold] = Self.totalSquares(heldTargets, targetCount: t)
            for (a, alpha) in alphas.enumerated() {
                let predicted = try system.solve(alpha: alpha).predict(heldFeatures)
                for i in 0..<held.count {
                    for k in 0..<t {
                        let residual = heldTargets[i * t + k] - predicted[i * t + k]
                        residualSquares[a][fold][k] += residual * residual
                    }
                }
            }
        }

        let validationMSE = alphas.indices.map { a in
            (0..<foldCount).map { f in
                residualSquares[a][f].reduce(0, +) / Double(t * validationSizes[f])
            }.reduce(0, +) / Double(foldCount)
        }
        var best = 0
        for a in validationMSE.indices.dropFirst() where validationMSE[a] <= validationMSE[best] { best = a }
        var chosen = [Int](repeating: best, count: t)
        if alphaPerTarget {
            func targetMSE(_ a: Int, _ k: Int) -> Double {
                (0..<foldCount).map { f in residualSquares[a][f][k] / Double(validationSizes[f]) }.reduce(0, +)
                    / Double(foldCount)
            }
            for k in 0..<t {
                for a in alphas.indices.dropFirst() where targetMSE(a, k) <= targetMSE(chosen[k], k) { chosen[k] = a }
            }
        }

        let scores = (0..<t).map { k in
            let a = chosen[k]
            return TrainingReport.TargetScores(
                name: data.targetNames[k],
                rmse: (0..<foldCount).map { f in (residualSquares[a][f][k] / Double(validationSizes[f])).squareRoot() },
                r2: (0..<foldCount).map { f in totalSquares[f][k].map { 1 - residualSquares[a][f][k] / $0 } },
                alpha: alphaPerTarget ? alphas[a] : nil)
        }
        let model = try refit(data, alphas: chosen.map { alphas[$0] })
        let report = TrainingReport(
            targets: scores, alpha: alphas[best], alphas: alphas, validationMSE: validationMSE, foldCount: foldCount,
            foldSizes: validationSizes, groupCount: folds.groupCount, seed: seed, rowCount: data.rowCount, featureCount: d,
            standardised: standardise, solveMethod: model.solveMethod)
        return Result(model: model, report: report, folds: folds)
    }

    /// The model on all rows with each target's α (one solve per distinct α).
    private func refit(_ data: TrainingSet, alphas chosen: [Double]) throws(TrainingError) -> RidgeRegression {
        let system = RidgeSystem(
            features: data.features, featureCount: data.featureCount, targets: data.targets, targetCount: data.targetCount,
            rows: nil, standardise: standardise)
        var fits: [Double: RidgeRegression] = [:]
        for alpha in Set(chosen) { fits[alpha] = try system.solve(alpha: alpha) }
        guard let model = RidgeRegression.combining(fits, alphas: chosen) else {
            throw .emptyShape(what: "target columns")
        }
        return model
    }

    /// Σ (y − ȳ)² per target with the fold's own mean; nil for a target constant on the fold
    /// (R² is undefined there).
    private static func totalSquares(_ targets: [Double], targetCount t: Int) -> [Double?] {
        let n = targets.count / t
        return (0..<t).map { k in
            let column = (0..<n).map { targets[$0 * t + k] }
            guard let first = column.first, column.contains(where: { $0 != first }) else { return nil }
            let mean = column.reduce(0, +) / Double(n)
            return column.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        }
    }
}

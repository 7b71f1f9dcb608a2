import COpenBLAS
import DSP

/// A fitted multi-output ridge regression with an unpenalised intercept: the plain linear layer
/// ŷ = W x + b on the raw features (`weights` in `torch.nn.Linear` layout, targets × features),
/// fitted as scikit-learn's `Ridge(alpha, fit_intercept=True)` — X and Y centred by their column
/// means, (XcᵀXc + αI) B = XcᵀYc solved by Cholesky (`dposv`) with a least-squares fallback
/// (`dgelsd`), intercept ȳ − x̄ᵀB.
///
/// With `standardise` (the default) each feature is z-scored with the training rows' mean and
/// population standard deviation before the solve (a constant column keeps scale 1), so α
/// penalises every feature on the same scale whatever the embedding's units — scikit-learn's
/// `make_pipeline(StandardScaler(), Ridge(alpha))`. The z-score is folded back into the raw-feature
/// layer, W = B / s and b = ȳ − Σⱼ x̄ⱼ Wⱼ, so the model file needs no preprocessing; the training
/// statistics and the standardised coefficients are kept for `predictThroughStandardisation`.
public struct RidgeRegression: Sendable, Codable, Equatable {
    /// How the normal equations were solved.
    public enum SolveMethod: String, Sendable, Codable {
        /// Cholesky factorisation of XcᵀXc + αI (`dposv`).
        case cholesky
        /// Minimum-norm least squares of the α-augmented system (`dgelsd`), after Cholesky failed.
        case leastSquares
    }

    public let featureCount: Int
    public let targetCount: Int
    /// The ridge penalty α of each target (on the standardised features when `isStandardised`):
    /// all equal for a plain fit, chosen per target by `RidgeCrossValidation(alphaPerTarget:)`.
    /// Each target's column is the ridge solution with its own α; the targets share nothing else.
    public let targetAlphas: [Double]
    public let isStandardised: Bool
    /// W on the raw features, row-major targets × features (the layout of `torch.nn.Linear.weight`).
    public let weights: [Double]
    /// b, one per target.
    public let bias: [Double]
    /// Training column means x̄.
    public let featureMeans: [Double]
    /// Training column standard deviations s (ddof 0; 1 for constant columns and when not standardising).
    public let featureScales: [Double]
    /// Training target means ȳ (the intercept on the centred, standardised features).
    public let targetMeans: [Double]
    /// B on the standardised features, row-major targets × features.
    public let standardisedWeights: [Double]
    public let solveMethod: SolveMethod

    init(
        targetAlphas: [Double], featureMeans: [Double], featureScales: [Double], targetMeans: [Double],
        standardisedWeights: [Double],
        isStandardised: Bool, solveMethod: SolveMethod
    ) {
        let d = featureMeans.count
        let t = targetMeans.count
        var weights = [Double](repeating: 0, count: t * d)
        var bias = targetMeans
        for k in 0..<t {
            for j in 0..<d {
                let w = standardisedWeights[k * d + j] / featureScales[j]
                weights[k * d + j] = w
                bias[k] -= featureMeans[j] * w
            }
        }
        self.featureCount = d
        self.targetCount = t
        self.targetAlphas = targetAlphas
        self.isStandardised = isStandardised
        self.weights = weights
        self.bias = bias
        self.featureMeans = featureMeans
        self.featureScales = featureScales
        self.targetMeans = targetMeans
        self.standardisedWeights = standardisedWeights
        self.solveMethod = solveMethod
    }

    /// Fits every target of `data` on all its rows.
    public static func fit(_ data: TrainingSet, alpha: Double, standardise: Bool = true) throws(TrainingError) -> RidgeRegression
    {
        try RidgeSystem(
            features: data.features, featureCount: data.featureCount, targets: data.targets, targetCount: data.targetCount,
            rows: nil, standardise: standardise
        ).solve(alpha: alpha)
    }

    /// Fits row-major `targets` (n × targetCount) on row-major `features` (n × featureCount).
    /// Shapes and finiteness are checked; constant targets are allowed here (their weights are 0).
    public static func fit(
        features: [Double], featureCount: Int, targets: [Double], targetCount: Int, alpha: Double, standardise: Bool = true
    ) throws(TrainingError) -> RidgeRegression {
        guard featureCount > 0 else { throw .emptyShape(what: "feature columns") }
        guard targetCount > 0 else { throw .emptyShape(what: "target columns") }
        let n = features.count / featureCount
        guard n > 0, features.count == n * featureCount else {
            throw .shapeMismatch(
                what: "features (rows × \(featureCount) columns, at least one row)", expected: max(n, 1) * featureCount,
                actual: features.count)
        }
        guard targets.count == n * targetCount else {
            throw .shapeMismatch(
                what: "targets (\(n) rows × \(targetCount) targets)", expected: n * targetCount, actual: targets.count)
        }
        try TrainingSet.checkFinite(
            features: features, featureCount: featureCount, targets: targets,
            targetNames: (0..<targetCount).map { "target \($0)" })
        return try RidgeSystem(
            features: features, featureCount: featureCount, targets: targets, targetCount: targetCount, rows: nil,
            standardise: standardise
        ).solve(alpha: alpha)
    }

    /// The model whose target k is target k of `fits[alphas[k]]`: per-target ridge solutions on
    /// the same training rows (hence the same standardisation) combined into one layer.
    static func combining(_ fits: [Double: RidgeRegression], alphas: [Double]) -> RidgeRegression? {
        guard let first = alphas.first.flatMap({ fits[$0] }) else { return nil }
        let d = first.featureCount
        var coefficients: [Double] = []
        var method = RidgeRegression.SolveMethod.cholesky
        for (k, alpha) in alphas.enumerated() {
            guard let fit = fits[alpha] else { return nil }
            coefficients += fit.standardisedWeights[(k * d)..<((k + 1) * d)]
            if fit.solveMethod == .leastSquares { method = .leastSquares }
        }
        return RidgeRegression(
            targetAlphas: alphas, featureMeans: first.featureMeans, featureScales: first.featureScales,
            targetMeans: first.targetMeans, standardisedWeights: coefficients, isStandardised: first.isStandardised,
            solveMethod: method)
    }

    /// The same layer with the given targets predicted by their training mean: their weights are
    /// exactly 0 and their intercept is ȳ. `TrainStage` uses it for concepts the embedding cannot
    /// predict, so that such a concept is a constant and carries nothing into the next layer.
    public func predictingMeans(of targets: Set<Int>) -> RidgeRegression {
        var coefficients = standardisedWeights
        for k in targets where k >= 0 && k < targetCount {
            for j in 0..<featureCount { coefficients[k * featureCount + j] = 0 }
        }
        return RidgeRegression(
            targetAlphas: targetAlphas, featureMeans: featureMeans, featureScales: featureScales, targetMeans: targetMeans,
            standardisedWeights: coefficients, isStandardised: isStandardised, solveMethod: solveMethod)
    }

    /// W x + b for every row of the row-major `features` (n × featureCount); row-major n × targets.
    public func predict(_ features: [Double]) throws(TrainingError) -> [Double] {
        let n = try rows(of: features)
        var out = [Double](repeating: 0, count: n * targetCount)
        for i in 0..<n { for k in 0..<targetCount { out[i * targetCount + k] = bias[k] } }
        if n > 0 {
            _ = BLASThreading.singleThreaded
            cblas_dgemm(
                CblasRowMajor, CblasNoTrans, CblasTrans, blasint(n), blasint(targetCount), blasint(featureCount), 1, features,
                blasint(featureCount), weights, blasint(featureCount), 1, &out, blasint(targetCount))
        }
        return out
    }

    /// The same predictions computed the way the model was solved: z = (x − x̄) / s, then
    /// ȳ + B z. Equal to `predict` up to rounding; it exists to verify the folded layer.
    public func predictThroughStandardisation(_ features: [Double]) throws(TrainingError) -> [Double] {
        let n = try rows(of: features)
        let d = featureCount
        var z = [Double](repeating: 0, count: n * d)
        for i in 0..<n { for j in 0..<d { z[i * d + j] = (features[i * d + j] - featureMeans[j]) / featureScales[j] } }
        var out = [Double](repeating: 0, count: n * targetCount)
        for i in 0..<n { for k in 0..<targetCount { out[i * targetCount + k] = targetMeans[k] } }
        if n > 0 {
            _ = BLASThreading.singleThreaded
            cblas_dgemm(
                CblasRowMajor, CblasNoTrans, CblasTrans, blasint(n), blasint(targetCount), blasint(d), 1, z, blasint(d),
                standardisedWeights, blasint(d), 1, &out, blasint(targetCount))
        }
        return out
    }

    private func rows(of features: [Double]) throws(TrainingError) -> Int {
        guard features.count % featureCount == 0 else {
            throw .shapeMismatch(
                what: "features to predict (rows × \(featureCount) columns)",
                expected: (features.count / featureCount + 1) * featureCount, actual: features.count)
        }
        return features.count / featureCount
    }

    static func checkAlpha(_ alpha: Double) throws(TrainingError) {
        guard alpha.isFinite, alpha >= 0 else { throw .invalidAlpha("α = \(alpha) (must be finite and ≥ 0)") }
    }
}

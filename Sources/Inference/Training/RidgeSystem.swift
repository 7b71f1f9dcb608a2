import COpenBLAS
import DSP

/// The normal equations of one ridge problem, prepared once so that many α share them (the
/// cross-validation grid solves each fold's system 15 times): column means and scales of the
/// training rows, the centred (and optionally standardised) design Z, the centred targets Yc, the
/// Gram matrix ZᵀZ and the moments YcᵀZ. Everything is float64.
struct RidgeSystem {
    let rowCount: Int
    let featureCount: Int
    let targetCount: Int
    let standardised: Bool
    /// Column means x̄ of the training rows.
    let featureMeans: [Double]
    /// Column population standard deviations (1 for constant columns, or everywhere when not standardising).
    let featureScales: [Double]
    /// Target means ȳ of the training rows.
    let targetMeans: [Double]
    /// Z = (X − x̄) / s, row-major rows × features.
    private let design: [Double]
    /// Yc = Y − ȳ, row-major rows × targets.
    private let labels: [Double]
    /// ZᵀZ, features × features, both triangles filled.
    private let gram: [Double]
    /// YcᵀZ, row-major targets × features (column-major features × targets, as LAPACK's right-hand sides).
    private let moments: [Double]

    /// Prepares the system for `rows` of the row-major `features` (n × featureCount) and `targets`
    /// (n × targetCount); all rows when `rows` is nil. Inputs are assumed validated (finite, shaped).
    init(features: [Double], featureCount d: Int, targets: [Double], targetCount t: Int, rows: [Int]?, standardise: Bool) {
        let rows = rows ?? Array(0..<(features.count / d))
        let n = rows.count
        var means = [Double](repeating: 0, count: d)
        var targetMeans = [Double](repeating: 0, count: t)
        for r in rows {
            for j in 0..<d { means[j] += features[r * d + j] }
            for k in 0..<t { targetMeans[k] += targets[r * t + k] }
        }
        let count = Double(max(n, 1))
        for j in 0..<d { means[j] /= count }
        for k in 0..<t { targetMeans[k] /= count }

        var design = [Double](repeating: 0, count: n * d)
        var labels = [Double](repeating: 0, count: n * t)
        for (i, r) in rows.enumerated() {
            for j in 0..<d { design[i * d + j] = features[r * d + j] - means[j] }
            for k in 0..<t { labels[i * t + k] = targets[r * t + k] - targetMeans[k] }
        }
        var scales = [Double](repeating: 1, count: d)
        if standardise {
            var squares = [Double](repeating: 0, count: d)
            for i in 0..<n { for j in 0..<d { squares[j] += design[i * d + j] * design[i * d + j] } }
            for j in 0..<d {
                let s = (squares[j] / count).squareRoot()
                // scikit-learn's StandardScaler: a (numerically) constant column keeps scale 1.
                scales[j] = s > 10 * Double.ulpOfOne * max(1, abs(means[j])) ? s : 1
            }
            for i in 0..<n { for j in 0..<d { design[i * d + j] /= scales[j] } }
        }

        var gram = [Double](repeating: 0, count: d * d)
        var moments = [Double](repeating: 0, count: t * d)
        if n > 0 {
            _ = BLASThreading.singleThreaded
            cblas_dsyrk(
                CblasRowMajor, CblasUpper, CblasTrans, blasint(d), blasint(n), 1, design, blasint(d), 0, &gram, blasint(d))
            for i in 0..<d { for j in 0..<i { gram[i * d + j] = gram[j * d + i] } }
            _ = BLASThreading.singleThreaded
            cblas_dgemm(
                CblasRowMajor, CblasTrans, CblasNoTrans, blasint(t), blasint(d), blasint(n), 1, labels, blasint(t), design,
                blasint(d), 0, &moments, blasint(d))
        }
        self.rowCount = n
        self.featureCount = d
        self.targetCount = t
        self.standardised = standardise
        self.featureMeans = means
        self.featureScales = scales
        self.targetMeans = targetMeans
        self.design = design
        self.labels = labels
        self.gram = gram
        self.moments = moments
    }

    /// Solves (ZᵀZ + αI) B = ZᵀYc by Cholesky (`dposv`); when the factorisation fails (α = 0 on a
    /// rank-deficient design, or α negligible against an ill-conditioned Gram matrix) the
    /// minimum-norm least-squares solution of the augmented system [Z; √α I] B ≈ [Yc; 0] (`dgelsd`).
    /// The standardised coefficients are folded back onto the raw features.
    func solve(alpha: Double) throws(TrainingError) -> RidgeRegression {
        try RidgeRegression.checkAlpha(alpha)
        let d = featureCount
        var system = gram
        for j in 0..<d { system[j * d + j] += alpha }
        let coefficients: [Double]
        let method: RidgeRegression.SolveMethod
        if let solution = try Self.cholesky(system, order: d, rightHandSides: moments, count: targetCount) {
            (coefficients, method) = (solution, .cholesky)
        } else {
            (coefficients, method) = (try leastSquares(alpha: alpha), .leastSquares)
        }
        return RidgeRegression(
            targetAlphas: [Double](repeating: alpha, count: targetCount), featureMeans: featureMeans,
            featureScales: featureScales, targetMeans: targetMeans,
            standardisedWeights: coefficients, isStandardised: standardised, solveMethod: method)
    }

    /// Cholesky solve of the symmetric positive definite `a` (order × order) for `count` column-major
    /// right-hand sides; nil when `a` is not numerically positive definite.
    private static func cholesky(_ a: [Double], order: Int, rightHandSides b: [Double], count: Int) throws(TrainingError)
        -> [Double]?
    {
        do { return try LinearSolvers.cholesky(a: a, n: order, b: b, rightHandSides: count) } catch {
            throw .lapack(routine: error.routine, info: error.info)
        }
    }

    /// Minimum-norm least squares of [Z; √α I] B ≈ [Yc; 0] by divide-and-conquer SVD, singular
    /// values below ε · max(m, d) · s_max treated as zero (numpy's `lstsq` default).
    private func leastSquares(alpha: Double) throws(TrainingError) -> [Double] {
        let d = featureCount
        let t = targetCount
        let augmented = alpha > 0 ? d : 0
        let m = rowCount + augmented
        var matrix = [Double](repeating: 0, count: m * d)
        for j in 0..<d {
            for i in 0..<rowCount { matrix[j * m + i] = design[i * d + j] }
            if augmented > 0 { matrix[j * m + rowCount + j] = alpha.squareRoot() }
        }
        var rhs = [Double](repeating: 0, count: m * t)
        for k in 0..<t { for i in 0..<rowCount { rhs[k * m + i] = labels[i * t + k] } }
        do {
            // Column-major d × t solution: column k holds target k's coefficients, i.e. row-major t × d.
            return try LinearSolvers.leastSquares(
                a: matrix, rows: m, columns: d, b: rhs, rightHandSides: t, relativeCutoff: Double.ulpOfOne * Double(max(m, d)))
        } catch { throw .lapack(routine: error.routine, info: error.info) }
    }
}

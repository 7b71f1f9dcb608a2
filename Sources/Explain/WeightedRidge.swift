import COpenBLAS
import DSP

/// scikit-learn's `Ridge(alpha, fit_intercept=True).fit(X, Y, sample_weight=w)` with the solver
/// 'auto' → 'cholesky' that dense input gets (docs/EXPLAIN.md, which follows audioLIME: step 5b): weighted column and
/// label means, centring, rows scaled by √w, the normal equations (XᵀX + αI) β = XᵀY solved by
/// Cholesky (`dposv`) with a least-squares SVD fallback (`dgelsd`) when the factorisation fails,
/// and intercept ȳ − x̄·β. Everything is float64. The centred design and its Gram matrix are
/// computed once (BLAS `dsyrk`/`dgemm`) and shared by every target and every column order.
public struct WeightedRidge: Sendable {
    public let rowCount: Int
    public let featureCount: Int
    public let targetCount: Int
    /// The design X, row-major rows × features.
    public let design: [Double]
    /// The labels Y, row-major rows × targets.
    public let labels: [Double]
    /// The sample weights w (not normalised).
    public let weights: [Double]
    /// Weighted column means x̄ = Σ w_r X_r / Σ w.
    public let featureMeans: [Double]
    /// Weighted label means ȳ = Σ w_r Y_r / Σ w, one per target.
    public let labelMeans: [Double]
    /// √w_r (X_r − x̄), row-major rows × features.
    private let scaledDesign: [Double]
    /// √w_r (Y_r − ȳ), row-major rows × targets.
    private let scaledLabels: [Double]
    /// The Gram matrix of `scaledDesign`, features × features, both triangles filled.
    private let gram: [Double]
    /// `scaledDesign`ᵀ `scaledLabels`, row-major features × targets.
    private let moments: [Double]

    public init(
        design: [Double], rowCount: Int, featureCount: Int, labels: [Double], targetCount: Int, weights: [Double]
    ) throws(ExplainError) {
        guard rowCount >= 1 else { throw .shapeMismatch(what: "ridge rows (at least one)", expected: 1, actual: rowCount) }
        guard design.count == rowCount * featureCount else {
            throw .shapeMismatch(
                what: "ridge design (\(rowCount) × \(featureCount))", expected: rowCount * featureCount,
                actual: design.count)
        }
        guard labels.count == rowCount * targetCount else {
            throw .shapeMismatch(
                what: "ridge labels (\(rowCount) × \(targetCount))", expected: rowCount * targetCount,
                actual: labels.count)
        }
        guard weights.count == rowCount else {
            throw .shapeMismatch(what: "ridge sample weights", expected: rowCount, actual: weights.count)
        }
        if let bad = design.firstIndex(where: { !$0.isFinite }) {
            throw .nonFiniteDesign(row: bad / max(featureCount, 1), column: bad % max(featureCount, 1), value: design[bad])
        }
        if let bad = labels.firstIndex(where: { !$0.isFinite }) {
            throw .nonFiniteLabel(row: bad / max(targetCount, 1), target: bad % max(targetCount, 1), value: labels[bad])
        }
        if let bad = weights.firstIndex(where: { !($0.isFinite && $0 >= 0) }) {
            throw .invalidWeights(reason: "weight \(bad) is \(weights[bad])")
        }

        // np.average(X, axis=0, weights=w): sums accumulated row by row, then one division.
        var weightSum = 0.0
        var featureSums = [Double](repeating: 0, count: featureCount)
        var labelSums = [Double](repeating: 0, count: targetCount)
        for r in 0..<rowCount {
            let w = weights[r]
            weightSum += w
            for i in 0..<featureCount { featureSums[i] += w * design[r * featureCount + i] }
            for t in 0..<targetCount { labelSums[t] += w * labels[r * targetCount + t] }
        }
        guard weightSum > 0 else { throw .invalidWeights(reason: "they sum to \(weightSum)") }
        let xbar = featureSums.map { $0 / weightSum }
        let ybar = labelSums.map { $0 / weightSum }

        var scaledDesign = [Double](repeating: 0, count: design.count)
        var scaledLabels = [Double](repeating: 0, count: labels.count)
        for r in 0..<rowCount {
            let root = weights[r].squareRoot()
            for i in 0..<featureCount { scaledDesign[r * featureCount + i] = (design[r * featureCount + i] - xbar[i]) * root }
            for t in 0..<targetCount { scaledLabels[r * targetCount + t] = (labels[r * targetCount + t] - ybar[t]) * root }
        }

        let d = featureCount
        var gram = [Double](repeating: 0, count: d * d)
        var moments = [Double](repeating: 0, count: d * targetCount)
        if d > 0 {
            _ = BLASThreading.singleThreaded
            cblas_dsyrk(
                CblasRowMajor, CblasUpper, CblasTrans, blasint(d), blasint(rowCount), 1, scaledDesign, blasint(d), 0, &gram,
                blasint(d))
            for i in 0..<d { for j in 0..<i { gram[i * d + j] = gram[j * d + i] } }
            if targetCount > 0 {
                _ = BLASThreading.singleThreaded
                cblas_dgemm(
                    CblasRowMajor, CblasTrans, CblasNoTrans, blasint(d), blasint(targetCount), blasint(rowCount), 1,
                    scaledDesign, blasint(d), scaledLabels, blasint(targetCount), 0, &moments, blasint(targetCount))
            }
        }

        self.rowCount = rowCount
        self.featureCount = featureCount
        self.targetCount = targetCount
        self.design = design
        self.labels = labels
        self.weights = weights
        self.featureMeans = xbar
        self.labelMeans = ybar
        self.scaledDesign = scaledDesign
        self.scaledLabels = scaledLabels
        self.gram = gram
        self.moments = moments
    }

    /// Fits every target on all columns in their natural order (one multi-right-hand-side solve).
    public func fit(alpha: Double) throws(ExplainError) -> [RidgeFit] {
        let order = Array(0..<featureCount)
        let (solution, method) = try solve(alpha: alpha, columnOrder: order, targets: Array(0..<targetCount))
        return (0..<targetCount).map { t in
            let beta = Array(solution[(t * featureCount)..<((t + 1) * featureCount)])
            return RidgeFit(coefficients: beta, intercept: intercept(target: t, beta: beta, columnOrder: order), method: method)
        }
    }

    /// Fits one target on the columns `columnOrder` (a permutation of 0..<featureCount), as
    /// `Ridge.fit(X[:, columnOrder], y)`; the coefficients are returned in component order.
    public func fit(alpha: Double, target: Int, columnOrder: [Int]) throws(ExplainError) -> RidgeFit {
        precondition(target >= 0 && target < targetCount, "target \(target) of \(targetCount)")
        precondition(columnOrder.sorted() == Array(0..<featureCount), "column order is not a permutation of the features")
        let (beta, method) = try solve(alpha: alpha, columnOrder: columnOrder, targets: [target])
        var coefficients = [Double](repeating: 0, count: featureCount)
        for (j, column) in columnOrder.enumerated() { coefficients[column] = beta[j] }
        let intercept = intercept(target: target, beta: beta, columnOrder: columnOrder)
        return RidgeFit(coefficients: coefficients, intercept: intercept, method: method)
    }

    /// `Ridge.predict(X)`: X β + intercept for every row of the design.
    public func predictions(of fit: RidgeFit) -> [Double] {
        precondition(fit.coefficients.count == featureCount, "fit has \(fit.coefficients.count) coefficients")
        var out = [Double](repeating: fit.intercept, count: rowCount)
        if featureCount > 0 {
            _ = BLASThreading.singleThreaded
            cblas_dgemv(
                CblasRowMajor, CblasNoTrans, blasint(rowCount), blasint(featureCount), 1, design, blasint(featureCount),
                fit.coefficients, 1, 1, &out, 1)
        }
        return out
    }

    /// `Ridge.score(X, y, sample_weight=w)`: the weighted R² of `fit` on one target's labels.
    public func score(of fit: RidgeFit, target: Int) -> Double {
        precondition(target >= 0 && target < targetCount, "target \(target) of \(targetCount)")
        let y = (0..<rowCount).map { labels[$0 * targetCount + target] }
        return WeightedR2.score(labels: y, predictions: predictions(of: fit), weights: weights)
    }

    /// ȳ − x̄·β, accumulated in the order of the fitted columns (sklearn's `_set_intercept`).
    private func intercept(target: Int, beta: [Double], columnOrder: [Int]) -> Double {
        var dot = 0.0
        for (j, column) in columnOrder.enumerated() { dot += featureMeans[column] * beta[j] }
        return labelMeans[target] - dot
    }

    /// Solves (AᵀA + αI) β = Aᵀb for the permuted columns and the given targets; β is returned
    /// per target (target-major, in `columnOrder`). Cholesky first, SVD least squares of the
    /// augmented system [A; √α I] β ≈ [b; 0] when the factorisation fails.
    private func solve(alpha: Double, columnOrder: [Int], targets: [Int]) throws(ExplainError) -> ([Double], RidgeSolveMethod) {
        let d = featureCount
        let nrhs = targets.count
        if d == 0 || nrhs == 0 { return ([], .cholesky) }
        var system = [Double](repeating: 0, count: d * d)
        for (j, cj) in columnOrder.enumerated() {
            for (k, ck) in columnOrder.enumerated() { system[k * d + j] = gram[cj * d + ck] }
            system[j * d + j] += alpha
        }
        var rhs = [Double](repeating: 0, count: d * nrhs)
        for (n, t) in targets.enumerated() {
            for (j, cj) in columnOrder.enumerated() { rhs[n * d + j] = moments[cj * targetCount + t] }
        }
        do {
            if let beta = try LinearSolvers.cholesky(a: system, n: d, b: rhs, rightHandSides: nrhs) { return (beta, .cholesky) }
        } catch { throw .lapack(routine: error.routine, info: error.info) }

        let augmented = alpha > 0 ? d : 0
        let m = rowCount + augmented
        var matrix = [Double](repeating: 0, count: m * d)
        for (j, cj) in columnOrder.enumerated() {
            for r in 0..<rowCount { matrix[j * m + r] = scaledDesign[r * d + cj] }
            if augmented > 0 { matrix[j * m + rowCount + j] = alpha.squareRoot() }
        }
        var observed = [Double](repeating: 0, count: m * nrhs)
        for (n, t) in targets.enumerated() {
            for r in 0..<rowCount { observed[n * m + r] = scaledLabels[r * targetCount + t] }
        }
        do {
            let beta = try LinearSolvers.leastSquares(
                a: matrix, rows: m, columns: d, b: observed, rightHandSides: nrhs,
                relativeCutoff: Double.ulpOfOne * Double(max(m, d)))
            return (beta, .leastSquaresFallback)
        } catch { throw .lapack(routine: error.routine, info: error.info) }
    }
}

/// One target's weighted ridge model: `coef_` (component order) and `intercept_` of sklearn's Ridge.
public struct RidgeFit: Sendable, Equatable {
    public let coefficients: [Double]
    public let intercept: Double
    /// Which solve produced the coefficients.
    public let method: RidgeSolveMethod
}

/// The solver scikit-learn's 'cholesky' path ended up using (docs/EXPLAIN.md, which follows audioLIME: step 5b.3).
public enum RidgeSolveMethod: Sendable, Equatable {
    /// `scipy.linalg.solve(assume_a='pos')` succeeded.
    case cholesky
    /// The Gram matrix was not numerically positive definite; sklearn falls back to an SVD solve.
    case leastSquaresFallback
}

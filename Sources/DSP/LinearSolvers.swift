import COpenBLAS

/// The two LAPACK solves (OpenBLAS) behind every ridge fit in stemtrace — LIME's regression and
/// `stemtrace train` — as scikit-learn's Ridge 'cholesky' solver uses them (docs/EXPLAIN.md, after audioLIME,
/// step 5b.3): `scipy.linalg.solve(assume_a='pos')` (Cholesky, `dposv`) and, when the
/// factorisation fails, a least-squares SVD solve (`dgelsd`). Matrices are column-major, as
/// LAPACK wants them.
public enum LinearSolvers {
    /// Solves A X = B for symmetric positive definite A (n × n) and B (n × nrhs), both column-major.
    /// Returns nil when A is not numerically positive definite (LAPACK info > 0).
    public static func cholesky(a: [Double], n: Int, b: [Double], rightHandSides nrhs: Int) throws(LinearSolverError) -> [Double]?
    {
        precondition(a.count == n * n && b.count == n * nrhs, "cholesky: \(a.count) and \(b.count) values for n = \(n)")
        if n == 0 { return [] }
        var factor = a
        var solution = b
        var order = blasint(n)
        var columns = blasint(nrhs)
        var lda = blasint(n)
        var ldb = blasint(n)
        var info: blasint = 0
        var uplo = CChar(UInt8(ascii: "U"))
        _ = BLASThreading.singleThreaded
        dposv_(&uplo, &order, &columns, &factor, &lda, &solution, &ldb, &info, 1)
        if info > 0 { return nil }
        if info < 0 { throw .lapack(routine: "dposv", info: Int(info)) }
        return solution
    }

    /// Minimum-norm least squares min ‖B − A X‖ for A (m × n) and B (m × nrhs), column-major, by
    /// divide-and-conquer SVD. Singular values ≤ `relativeCutoff` · s_max count as zero (numpy's
    /// `lstsq` default is machine epsilon · max(m, n)). Returns X (n × nrhs, column-major).
    public static func leastSquares(
        a: [Double], rows m: Int, columns n: Int, b: [Double], rightHandSides nrhs: Int, relativeCutoff: Double
    ) throws(LinearSolverError) -> [Double] {
        precondition(a.count == m * n && b.count == m * nrhs, "leastSquares: \(a.count) and \(b.count) values for \(m) × \(n)")
        if n == 0 { return [] }
        let ldb = max(m, n)
        var matrix = a
        var rhs = [Double](repeating: 0, count: ldb * nrhs)
        for j in 0..<nrhs { for i in 0..<m { rhs[j * ldb + i] = b[j * m + i] } }
        var singular = [Double](repeating: 0, count: min(m, n))
        var rowCount = blasint(m)
        var columnCount = blasint(n)
        var columns = blasint(nrhs)
        var lda = blasint(max(m, 1))
        var leading = blasint(ldb)
        var cutoff = relativeCutoff
        var rank: blasint = 0
        var info: blasint = 0
        var workSize: Double = 0
        var integerWorkSize: blasint = 0
        var query: blasint = -1
        _ = BLASThreading.singleThreaded
        dgelsd_(
            &rowCount, &columnCount, &columns, &matrix, &lda, &rhs, &leading, &singular, &cutoff, &rank, &workSize, &query,
            &integerWorkSize, &info)
        if info != 0 { throw .lapack(routine: "dgelsd (workspace query)", info: Int(info)) }
        var work = [Double](repeating: 0, count: max(1, Int(workSize)))
        var iwork = [blasint](repeating: 0, count: max(1, Int(integerWorkSize)))
        var lwork = blasint(work.count)
        _ = BLASThreading.singleThreaded
        dgelsd_(
            &rowCount, &columnCount, &columns, &matrix, &lda, &rhs, &leading, &singular, &cutoff, &rank, &work, &lwork,
            &iwork, &info)
        if info != 0 { throw .lapack(routine: "dgelsd", info: Int(info)) }
        var solution = [Double](repeating: 0, count: n * nrhs)
        for j in 0..<nrhs { for i in 0..<n { solution[j * n + i] = rhs[j * ldb + i] } }
        return solution
    }
}

/// A LAPACK routine reported an illegal argument or failed to converge.
public struct LinearSolverError: Error, Equatable, Sendable {
    public let routine: String
    public let info: Int

    static func lapack(routine: String, info: Int) -> LinearSolverError { LinearSolverError(routine: routine, info: info) }
}

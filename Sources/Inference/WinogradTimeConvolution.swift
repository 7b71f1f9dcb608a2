import COpenBLAS
import CVectorMath
import DSP

/// A one-input-channel convolution of a frames × bands map, `kernelHeight` taps along time and
/// `kernelWidth` along frequency (VALID), reduced at once by a max over the frequency positions:
/// best[t][c] = max over f of Σ_{dt, df} x[t + dt][f + df] · W[dt][df][c]. musicnn's timbral
/// filters (7×38 and 7×67, 204 filters) are 80 % of its multiplies, and this computes them with
/// Winograd's minimal filtering F(m, 7) along time (Lavin & Gray 2016) instead of a direct GEMM:
///
/// - each tile of `m` output frames reads `alpha = m + kernelHeight − 1` input frames, transformed
///   by Bᵀ (alpha × alpha) into alpha rows of transformed bands;
/// - for each transformed point ξ, one `sgemm` multiplies the im2col rows of those bands
///   (positions × kernelWidth per tile) by the transformed kernel U_ξ = (G W)_ξ (kernelWidth ×
///   channels), computed once in float64 and rounded once;
/// - Aᵀ (m × alpha) turns the alpha products back into m output frames, and the max over
///   frequency is taken as they are formed, so the full map never exists.
///
/// The multiplies per output fall from 7 · kernelWidth to alpha · kernelWidth / m (F(5, 7): 3.2×
/// fewer). The matrices are the Toom–Cook ones for the first alpha − 1 of the points 0, ±1, ±2,
/// ±1/2, ±3, ±1/3 and ∞ (the order of Lavin's `wincnn`); in float32 the result differs from the
/// exact convolution by about 5e-6 of the map's largest value, against 5e-7 for the direct GEMM
/// (docs/BENCHMARKS.md, "musicnn with Winograd along time"). Deterministic: the same input gives
/// the same bytes on any thread count.
struct WinogradTimeConvolution: Sendable {
    let kernelHeight: Int
    let kernelWidth: Int
    let channels: Int
    /// Output frames per tile (m).
    let outputTile: Int
    /// Transformed points per tile: m + kernelHeight − 1.
    var alpha: Int { outputTile + kernelHeight - 1 }
    /// Aᵀ, m × alpha, row-major.
    let outputTransform: [Float]
    /// Bᵀ, alpha × alpha, row-major.
    let inputTransform: [Float]
    /// U_ξ = Σ_k G[ξ][k] · W[k], alpha × kernelWidth × channels.
    let transformedKernel: [Float]

    /// The finite interpolation points, in the order they are taken (every F(m, r) also uses ∞).
    static let points: [Double] = [0, 1, -1, 2, -2, 0.5, -0.5, 3, -3, 1.0 / 3, -1.0 / 3]

    /// `kernel` is TF's HWIO with one input channel: kernelHeight × kernelWidth × channels.
    init(kernel: [Float], kernelHeight: Int, kernelWidth: Int, channels: Int, outputTile: Int) {
        let alpha = outputTile + kernelHeight - 1
        precondition(
            outputTile >= 1 && alpha - 1 <= Self.points.count, "no Winograd points for F(\(outputTile), \(kernelHeight))")
        precondition(
            kernel.count == kernelHeight * kernelWidth * channels, "kernel is not \(kernelHeight)×\(kernelWidth)×\(channels)")
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.channels = channels
        self.outputTile = outputTile
        let matrices = ToomCook(outputs: outputTile, taps: kernelHeight, points: Array(Self.points.prefix(alpha - 1)))
        outputTransform = matrices.at.map { Float($0) }
        inputTransform = matrices.bt.map { Float($0) }
        let plane = kernelWidth * channels
        var u = [Float](repeating: 0, count: alpha * plane)
        for xi in 0..<alpha {
            for i in 0..<plane {
                var sum = 0.0
                for k in 0..<kernelHeight { sum += matrices.g[xi * kernelHeight + k] * Double(kernel[k * plane + i]) }
                u[xi * plane + i] = Float(sum)
            }
        }
        transformedKernel = u
    }

    /// Output tiles for `frames` output frames (the last one may be partly padding).
    func tiles(frames: Int) -> Int { (frames + outputTile - 1) / outputTile }

    /// Input rows the padded input must hold for `frames` output frames: every tile reads alpha rows.
    func paddedRows(frames: Int) -> Int { tiles(frames: frames) * outputTile + kernelHeight - 1 }

    /// Frequency positions of the output for `bands` input bands (VALID).
    func positions(bands: Int) -> Int { max(0, bands - kernelWidth + 1) }

    /// Scratch memory for `frameMaxima`, kept between calls; left uninitialised (every entry is
    /// written before it is read).
    final class Scratch {
        let tilesPerBlock: Int
        let columns: UnsafeMutableBufferPointer<Float>
        let products: UnsafeMutableBufferPointer<Float>
        let transformed: UnsafeMutableBufferPointer<Float>

        init(_ conv: WinogradTimeConvolution, bands: Int, tilesPerBlock: Int) {
            self.tilesPerBlock = max(1, tilesPerBlock)
            let rows = self.tilesPerBlock * conv.positions(bands: bands)
            columns = .allocate(capacity: max(1, conv.alpha * rows * conv.kernelWidth))
            products = .allocate(capacity: max(1, conv.alpha * rows * conv.channels))
            transformed = .allocate(capacity: max(1, conv.alpha * bands))
        }

        deinit {
            columns.deallocate()
            products.deallocate()
            transformed.deallocate()
        }
    }

    /// best[t · channels + c] for t < frames: the max over frequency positions of the convolution
    /// of `padded` (paddedRows(frames:) × bands: the time padding already in place, rows past the
    /// input zero) with the kernel.
    func frameMaxima(
        padded: UnsafePointer<Float>, frames: Int, bands: Int, scratch: Scratch, into best: UnsafeMutablePointer<Float>
    ) {
        let positions = positions(bands: bands)
        precondition(positions > 0, "a \(kernelWidth)-tap kernel does not fit \(bands) bands")
        guard frames > 0, let columns = scratch.columns.baseAddress,
            let products = scratch.products.baseAddress, let transformed = scratch.transformed.baseAddress
        else { return }
        let m = outputTile
        let alpha = alpha
        let blockRows = scratch.tilesPerBlock * positions
        let columnStride = blockRows * kernelWidth
        let productStride = blockRows * channels
        let allTiles = tiles(frames: frames)
        inputTransform.withUnsafeBufferPointer { bt in
            outputTransform.withUnsafeBufferPointer { at in
                transformedKernel.withUnsafeBufferPointer { u in
                    guard let bt = bt.baseAddress, let at = at.baseAddress, let u = u.baseAddress else { return }
                    for tile0 in stride(from: 0, to: allTiles, by: scratch.tilesPerBlock) {
                        let tiles = min(scratch.tilesPerBlock, allTiles - tile0)
                        stemtrace_winograd_time_input(
                            padded + tile0 * m * bands, bands, bt, m, alpha, tiles, kernelWidth, columns, columnStride,
                            transformed)
                        _ = BLASThreading.singleThreaded
                        for xi in 0..<alpha {
                            // products_ξ (rows × channels) = columns_ξ (rows × kernelWidth) · U_ξ (kernelWidth × channels)
                            cblas_sgemm(
                                CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(tiles * positions), Int32(channels),
                                Int32(kernelWidth), 1, columns + xi * columnStride, Int32(kernelWidth),
                                u + xi * kernelWidth * channels, Int32(channels), 0, products + xi * productStride,
                                Int32(channels))
                        }
                        stemtrace_winograd_time_output_max(
                            products, productStride, at, m, alpha, tiles, positions, channels, frames - tile0 * m,
                            best + tile0 * m * channels)
                    }
                }
            }
        }
    }
}

/// The Toom–Cook matrices of Winograd's F(m, r) for correlation, y = Aᵀ[(G g) ⊙ (Bᵀ d)], from
/// alpha − 1 finite points p_j and the point at infinity (alpha = m + r − 1): Aᵀ[i][j] = p_jⁱ,
/// G[j][k] = p_jᵏ / Π_{l≠j}(p_j − p_l), Bᵀ[j] = the coefficients of Π_{l≠j}(x − p_l), and for ∞
/// the unit vectors and the coefficients of Π_l(x − p_l). (The transpose of Toom–Cook polynomial
/// multiplication, as `wincnn` derives it.)
struct ToomCook {
    /// m × alpha.
    let at: [Double]
    /// alpha × r.
    let g: [Double]
    /// alpha × alpha.
    let bt: [Double]

    init(outputs m: Int, taps r: Int, points: [Double]) {
        let alpha = m + r - 1
        precondition(points.count == alpha - 1, "F(\(m), \(r)) needs \(alpha - 1) finite points")
        var at = [Double](repeating: 0, count: m * alpha)
        var g = [Double](repeating: 0, count: alpha * r)
        var bt = [Double](repeating: 0, count: alpha * alpha)
        for (j, p) in points.enumerated() {
            var denominator = 1.0
            var product: [Double] = [1]
            for (l, q) in points.enumerated() where l != j {
                denominator *= p - q
                product = Self.multiply(product, [-q, 1])
            }
            for i in 0..<m { at[i * alpha + j] = Self.power(p, i) }
            for k in 0..<r { g[j * r + k] = Self.power(p, k) / denominator }
            for (n, coefficient) in product.enumerated() { bt[j * alpha + n] = coefficient }
        }
        at[(m - 1) * alpha + alpha - 1] = 1
        g[(alpha - 1) * r + r - 1] = 1
        var all: [Double] = [1]
        for q in points { all = Self.multiply(all, [-q, 1]) }
        for (n, coefficient) in all.enumerated() { bt[(alpha - 1) * alpha + n] = coefficient }
        self.at = at
        self.g = g
        self.bt = bt
    }

    private static func power(_ x: Double, _ n: Int) -> Double { (0..<n).reduce(1) { acc, _ in acc * x } }

    private static func multiply(_ a: [Double], _ b: [Double]) -> [Double] {
        var result = [Double](repeating: 0, count: a.count + b.count - 1)
        for (i, x) in a.enumerated() {
            for (j, y) in b.enumerated() { result[i + j] += x * y }
        }
        return result
    }
}

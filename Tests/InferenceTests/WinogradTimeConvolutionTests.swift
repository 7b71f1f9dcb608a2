import CVectorMath
import Core
import Testing

@testable import Inference

/// Winograd F(m, 7) along time with the max over frequency (musicnn's timbral filters) against
/// the convolution and max evaluated directly in float64. Tolerance: 2e-5 × the largest |value|
/// of the map (musicnn's F(5, 7) measured ≈ 5e-6; a wrong transform entry or a mishandled last
/// tile is off by O(1)).
@Suite struct WinogradTimeConvolutionTests {
    /// Values in [-1, 1) from a seeded generator.
    static func noise(_ count: Int, seed: UInt64) -> [Float] {
        var generator = SplitMix64(seed: seed)
        return (0..<count).map { _ in Float(generator.nextUnitInterval() * 2 - 1) }
    }

    /// The exact result: max over f of Σ x[t + dt][f + df] · W[dt][df][c], in float64, for a
    /// `frames + 6`-row padded input.
    static func direct(
        padded x: [Float], frames: Int, bands: Int, kernel w: [Float], height: Int, width: Int, channels: Int
    ) -> [Double] {
        let positions = bands - width + 1
        var best = [Double](repeating: -.infinity, count: frames * channels)
        for t in 0..<frames {
            for f in 0..<positions {
                for c in 0..<channels {
                    var sum = 0.0
                    for dt in 0..<height {
                        for df in 0..<width {
                            sum += Double(x[(t + dt) * bands + f + df]) * Double(w[(dt * width + df) * channels + c])
                        }
                    }
                    best[t * channels + c] = max(best[t * channels + c], sum)
                }
            }
        }
        return best
    }

    @Test func toomCookMatricesComputeTheCorrelationExactly() {
        var generator = SplitMix64(seed: 7)
        for m in 1...6 {
            let r = 7
            let alpha = m + r - 1
            let matrices = ToomCook(outputs: m, taps: r, points: Array(WinogradTimeConvolution.points.prefix(alpha - 1)))
            let g = (0..<r).map { _ in generator.nextUnitInterval() - 0.5 }
            let d = (0..<alpha).map { _ in generator.nextUnitInterval() - 0.5 }
            let gt = (0..<alpha).map { xi in (0..<r).reduce(0.0) { $0 + matrices.g[xi * r + $1] * g[$1] } }
            let dt = (0..<alpha).map { xi in (0..<alpha).reduce(0.0) { $0 + matrices.bt[xi * alpha + $1] * d[$1] } }
            for i in 0..<m {
                let y = (0..<alpha).reduce(0.0) { $0 + matrices.at[i * alpha + $1] * gt[$1] * dt[$1] }
                let exact = (0..<r).reduce(0.0) { $0 + g[$1] * d[i + $1] }
                #expect(abs(y - exact) < 1e-10, "F(\(m), 7) output \(i): \(y) vs \(exact)")
            }
        }
    }

    /// Both timbral shapes' frequency extents, frame counts that do and do not fill the last tile,
    /// several tile sizes and tiles per block, and a channel count that is not a multiple of 16
    /// (the vector path's masked tail).
    @Test(arguments: [
        (width: 38, frames: 23, m: 5, block: 1), (width: 67, frames: 20, m: 5, block: 3), (width: 38, frames: 19, m: 4, block: 2),
        (width: 9, frames: 7, m: 6, block: 1), (width: 96, frames: 11, m: 2, block: 8),
    ])
    func matchesTheDirectConvolutionAndMax(width: Int, frames: Int, m: Int, block: Int) {
        let (bands, height, channels) = (96, 7, 21)
        let kernel = Self.noise(height * width * channels, seed: UInt64(width))
        let conv = WinogradTimeConvolution(
            kernel: kernel, kernelHeight: height, kernelWidth: width, channels: channels, outputTile: m)
        // Rows past frames + 6 are the last tile's padding and must be zero.
        var padded = [Float](repeating: 0, count: conv.paddedRows(frames: frames) * bands)
        let signal = Self.noise((frames + height - 1) * bands, seed: 99)
        padded.replaceSubrange(0..<signal.count, with: signal)
        let scratch = WinogradTimeConvolution.Scratch(conv, bands: bands, tilesPerBlock: block)
        var best = [Float](repeating: .nan, count: frames * channels)
        padded.withUnsafeBufferPointer { x in
            best.withUnsafeMutableBufferPointer { b in
                conv.frameMaxima(padded: x.baseAddress!, frames: frames, bands: bands, scratch: scratch, into: b.baseAddress!)
            }
        }
        let exact = Self.direct(
            padded: Array(padded[0..<signal.count]), frames: frames, bands: bands, kernel: kernel, height: height,
            width: width, channels: channels)
        let scale = exact.map(abs).max() ?? 1
        let worst = zip(best, exact).map { abs(Double($0) - $1) }.max() ?? .infinity
        let finite = best.allSatisfy(\.isFinite)
        #expect(finite)
        #expect(worst <= 2e-5 * scale, "worst \(worst) of \(scale)")
    }

    @Test func reusedScratchGivesTheSameBytes() {
        let (bands, width, channels, frames) = (96, 38, 20, 31)
        let conv = WinogradTimeConvolution(
            kernel: Self.noise(7 * width * channels, seed: 3), kernelHeight: 7, kernelWidth: width, channels: channels,
            outputTile: 5)
        var first = Self.noise(conv.paddedRows(frames: frames) * bands, seed: 4)
        // The padding rows past the input are zero, as frameMaxima requires.
        for i in ((frames + 6) * bands)..<first.count { first[i] = 0 }
        let second = first.map { -$0 }
        let scratch = WinogradTimeConvolution.Scratch(conv, bands: bands, tilesPerBlock: 2)
        func run(_ x: [Float]) -> [Float] {
            var best = [Float](repeating: 0, count: frames * channels)
            x.withUnsafeBufferPointer { xb in
                best.withUnsafeMutableBufferPointer {
                    conv.frameMaxima(
                        padded: xb.baseAddress!, frames: frames, bands: bands, scratch: scratch, into: $0.baseAddress!)
                }
            }
            return best
        }
        let a = run(first)
        let b = run(second)
        let fresh = WinogradTimeConvolution.Scratch(conv, bands: bands, tilesPerBlock: 2)
        var c = [Float](repeating: 0, count: frames * channels)
        first.withUnsafeBufferPointer { xb in
            c.withUnsafeMutableBufferPointer {
                conv.frameMaxima(padded: xb.baseAddress!, frames: frames, bands: bands, scratch: fresh, into: $0.baseAddress!)
            }
        }
        let again = run(first)
        #expect(a == c)
        #expect(again == a)
        #expect(a != b)
    }

    /// The AVX-512 output transform (taken on these CPUs) gives the portable loop's bytes, NaN-free
    /// data with ties, negative zeros and a masked channel tail included.
    @Test func vectorOutputTransformGivesThePortableBytes() {
        let (m, alpha, tiles, positions, channels, frames) = (5, 11, 3, 4, 37, 13)
        let matrices = ToomCook(outputs: m, taps: 7, points: Array(WinogradTimeConvolution.points.prefix(alpha - 1)))
        let at = matrices.at.map { Float($0) }
        let stride = tiles * positions * channels
        var products = Self.noise(alpha * stride, seed: 11)
        for i in Swift.stride(from: 0, to: products.count, by: 17) { products[i] = -0.0 }
        for i in Swift.stride(from: 5, to: products.count, by: 23) { products[i] = products[i - 1] }
        var vector = [Float](repeating: .nan, count: frames * channels)
        var portable = vector
        stemtrace_winograd_time_output_max(products, stride, at, m, alpha, tiles, positions, channels, frames, &vector)
        stemtrace_winograd_time_output_max_portable(products, stride, at, m, alpha, tiles, positions, channels, frames, &portable)
        #expect(vector.map(\.bitPattern) == portable.map(\.bitPattern))
        let finite = vector.allSatisfy(\.isFinite)
        #expect(finite)
    }
}

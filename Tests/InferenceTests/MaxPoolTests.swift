import CVectorMath
import Core
import Testing

@testable import Inference

/// `Kernels.maxPool2x2` (PyTorch's `max_pool2d(2, 2)`, floor mode) and its C kernel.
@Suite struct MaxPoolTests {
    /// Values in [-1, 1) with some ties, zeros of both signs and repeated maxima.
    static func plane(_ count: Int, seed: UInt64) -> [Float] {
        var generator = SplitMix64(seed: seed)
        return (0..<count).map { i in
            switch i % 7 {
            case 3: return 0
            case 5: return -0.0
            default: return Float((generator.nextUnitInterval() * 8).rounded(.down) / 4 - 1)
            }
        }
    }

    /// The loop the kernel replaced, element by element.
    static func reference(_ x: [Float], height: Int, width: Int) -> [Float] {
        let (h, w) = (height / 2, width / 2)
        var out = [Float](repeating: .nan, count: h * w)
        for i in 0..<h {
            for j in 0..<w {
                let r0 = 2 * i * width
                let r1 = r0 + width
                out[i * w + j] = max(max(x[r0 + 2 * j], x[r0 + 2 * j + 1]), max(x[r1 + 2 * j], x[r1 + 2 * j + 1]))
            }
        }
        return out
    }

    /// Odd and even sizes, widths below, at and above one 16-wide step, an odd trailing row and
    /// column (dropped), over a batch of channels: the kernel gives the Swift loop's bytes.
    @Test(arguments: [(1, 2), (2, 2), (3, 5), (4, 32), (5, 33), (7, 70), (74, 625), (37, 312)])
    func poolsAsTheSwiftLoop(size: (height: Int, width: Int)) {
        let (height, width) = size
        let channels = 3
        let x = FeatureMap(
            batch: 1, channels: channels, height: height, width: width,
            values: Self.plane(channels * height * width, seed: UInt64(height * 1000 + width)))
        let pooled = Kernels.maxPool2x2(x, threads: 2)
        #expect(pooled.shape == [1, channels, height / 2, width / 2])
        let plane = height * width
        let expected = (0..<channels).flatMap { c in
            Self.reference(Array(x.values[(c * plane)..<((c + 1) * plane)]), height: height, width: width)
        }
        #expect(pooled.values.map(\.bitPattern) == expected.map(\.bitPattern))
    }

    /// The AVX-512 path (taken on these CPUs) against the portable loop, NaN included.
    @Test func vectorPathGivesThePortableBytes() {
        let (height, width) = (9, 101)
        var x = Self.plane(height * width, seed: 7)
        x[40] = .nan
        x[2 * width + 7] = .infinity
        var vector = [Float](repeating: 1, count: (height / 2) * (width / 2))
        var portable = vector
        stemtrace_max_pool2x2(x, width, &vector, height / 2, width / 2)
        stemtrace_max_pool2x2_portable(x, width, &portable, height / 2, width / 2)
        #expect(vector.map(\.bitPattern) == portable.map(\.bitPattern))
        #expect(vector.contains { $0.isNaN } && vector.contains(.infinity))
    }
}

import CVectorMath
import Core
import Testing

/// The C kernels of the spectrogram's hot loops take AVX-512 paths on CPUs that have it; these
/// compare them bit for bit with the plain float loops they replace (madmom's order of
/// operations), on lengths that exercise the vector body and the scalar tail.
@Suite struct VectorKernelTests {
    static let lengths = [0, 1, 15, 16, 17, 1025, 2048]

    func randomFloats(_ count: Int, seed: UInt64) -> [Float] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { _ in Float(Double(rng.next() % 2_000_001) / 1_000_000 - 1) * 3.7 }
    }

    @Test(arguments: lengths) func divideMatchesScalarDivision(count: Int) {
        let x = randomFloats(count, seed: 1)
        let peak: Float = 0.837_219_4
        var out = [Float](repeating: .nan, count: count)
        out.withUnsafeMutableBufferPointer { o in
            x.withUnsafeBufferPointer { stemtrace_divide(o.baseAddress, $0.baseAddress, peak, count) }
        }
        #expect(out.map(\.bitPattern) == x.map { ($0 / peak).bitPattern })
    }

    @Test(arguments: lengths) func multiplyMatchesScalarProduct(count: Int) {
        let a = randomFloats(count, seed: 2)
        let b = randomFloats(count, seed: 3)
        var out = [Float](repeating: .nan, count: count)
        out.withUnsafeMutableBufferPointer { o in
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { stemtrace_multiply(o.baseAddress, pa.baseAddress, $0.baseAddress, count) }
            }
        }
        #expect(out.map(\.bitPattern) == zip(a, b).map { ($0 * $1).bitPattern })
    }

    /// sqrt(re² + im²) with two roundings for the squares and one for the sum: an FMA would differ.
    @Test(arguments: [0, 1, 15, 16, 17, 1025]) func magnitudesMatchUnfusedScalarLoop(bins: Int) {
        let spectrum = randomFloats(2 * bins, seed: 4).map { $0 * 1000 }
        var out = [Float](repeating: .nan, count: bins)
        out.withUnsafeMutableBufferPointer { o in
            spectrum.withUnsafeBufferPointer { stemtrace_magnitudes(o.baseAddress, $0.baseAddress, bins) }
        }
        let expected = (0..<bins).map { k -> UInt32 in
            let re = spectrum[2 * k]
            let im = spectrum[2 * k + 1]
            let rr = re * re
            let ii = im * im
            return (rr + ii).squareRoot().bitPattern
        }
        #expect(out.map(\.bitPattern) == expected)
    }

    @Test(arguments: [0, 1, 15, 16, 17, 40, 99]) func firstNonFiniteFindsTheFirstNaNOrInfinity(position: Int) {
        var x = randomFloats(100, seed: 5)
        let scan = { (values: [Float]) in values.withUnsafeBufferPointer { stemtrace_first_non_finite($0.baseAddress, $0.count) }
        }
        #expect(scan(x) == 100)
        x[position] = .nan
        if position + 3 < x.count { x[position + 3] = -.infinity }
        #expect(scan(x) == position)
        x[position] = .infinity
        #expect(scan(x) == position)
        x[position] = .greatestFiniteMagnitude
        #expect(scan(x) == (position + 3 < x.count ? position + 3 : 100))
    }
}

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

    /// The composed spectra's magnitudes: float64 scaled parts, then one rounding to Float, as
    /// `LogFilteredSpectrogram.logFiltered(spectra:…)` computed them in Swift.
    @Test(arguments: [0, 1, 7, 8, 9, 1025]) func scaledFloat64MagnitudesMatchTheSwiftLoop(bins: Int) {
        var rng = SplitMix64(seed: UInt64(bins) + 11)
        let spectrum = (0..<(2 * bins)).map { _ in Double(rng.next() % 4_000_001) / 1_000_000 - 2 }
        let scale = 1 / 0.731_5
        var out = [Float](repeating: .nan, count: bins)
        var portable = out
        stemtrace_scaled_magnitudes_f64(&out, spectrum, scale, bins)
        stemtrace_scaled_magnitudes_f64_portable(&portable, spectrum, scale, bins)
        let expected = (0..<bins).map { i -> Float in
            let re = spectrum[2 * i] * scale
            let im = spectrum[2 * i + 1] * scale
            return Float((re * re + im * im).squareRoot())
        }
        #expect(out.map(\.bitPattern) == expected.map(\.bitPattern))
        #expect(portable.map(\.bitPattern) == expected.map(\.bitPattern))
    }

    /// The peak of a float64 waveform: the running maximum of |Float(x)|, wherever it lies.
    @Test(arguments: [0, 1, 7, 8, 9, 1000]) func float64PeakIsTheRunningMaximum(count: Int) {
        var rng = SplitMix64(seed: UInt64(count) + 5)
        var x = (0..<count).map { _ in Double(rng.next() % 2_000_001) / 1_000_000 - 1 }
        if count > 0 { x[count - 1] = -1.5 }  // the largest magnitude in the scalar tail, negative
        let expected = x.reduce(Float(0)) { max($0, abs(Float($1))) }
        #expect(stemtrace_peak_abs_f64(x, count) == expected)
        if count > 3 {
            x[2] = 2.25  // now in the vector body
            #expect(stemtrace_peak_abs_f64(x, count) == 2.25)
        }
    }
}

import CFFTW3f

/// FFTW-aligned arrays for one caller (never shared between threads): `size` reals and
/// `size/2 + 1` complex bins, the two sides of a real FFT of `size` in either direction
/// (`RealFFT` reads `real` and writes `complex`; `InverseRealFFT` the other way round).
public final class FFTWRealBuffers {
    public let real: UnsafeMutablePointer<Float>
    public let complex: UnsafeMutablePointer<fftwf_complex>
    public let binCount: Int

    init(size: Int) {
        guard let real = fftwf_alloc_real(size), let complex = fftwf_alloc_complex(size / 2 + 1) else {
            fatalError("FFTW could not allocate buffers of \(size) samples")
        }
        self.real = real
        self.complex = complex
        binCount = size / 2 + 1
    }

    deinit {
        fftwf_free(real)
        fftwf_free(complex)
    }

    /// Interleaved (re, im) view of the complex bins.
    public var interleavedComplex: UnsafeMutablePointer<Float> {
        UnsafeMutableRawPointer(complex).assumingMemoryBound(to: Float.self)
    }

    /// A plan of `size` made through FFTW's thread-safe planner on scratch buffers (a measuring
    /// planner overwrites them), discarded afterwards, as `planning` says (`FFTPlanning.plan`).
    static func plan(
        size: Int, kind: String, planning: FFTPlanning,
        _ make: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<fftwf_complex>, UInt32) -> fftwf_plan?
    ) -> (plan: fftwf_plan, source: FFTPlanning.Source) {
        precondition(size > 0 && size % 2 == 0, "FFT size must be even and positive")
        fftwf_make_planner_thread_safe()
        let scratch = FFTWRealBuffers(size: size)
        let (plan, source) = planning.plan { make(scratch.real, scratch.complex, $0) }
        guard let plan else {
            fatalError("FFTW could not plan \(kind) of \(size) samples")
        }
        return (plan, source)
    }
}

import CFFTW3f

/// A single-precision complex-to-real FFTW plan (unnormalised inverse of `RealFFT`), made once
/// and executed through FFTW's thread-safe new-array interface with per-caller buffers.
public final class InverseRealFFT: @unchecked Sendable {
    // @unchecked: the plan is immutable after init and only executed through the thread-safe
    // new-array call (see RealFFT).
    public let size: Int
    private let plan: fftwf_plan

    public init(size: Int) {
        precondition(size > 0 && size % 2 == 0, "FFT size must be even and positive")
        fftwf_make_planner_thread_safe()
        self.size = size
        guard let input = fftwf_alloc_complex(size / 2 + 1), let output = fftwf_alloc_real(size) else {
            fatalError("FFTW could not allocate planning buffers of \(size) samples")
        }
        defer {
            fftwf_free(input)
            fftwf_free(output)
        }
        guard let plan = fftwf_plan_dft_c2r_1d(Int32(size), input, output, UInt32(FFTW_MEASURE)) else {
            fatalError("FFTW could not plan an inverse real FFT of \(size) samples")
        }
        self.plan = plan
    }

    deinit { fftwf_destroy_plan(plan) }

    public func makeBuffers() -> Buffers { Buffers(size: size) }

    /// Transforms `buffers.input` (destroyed, as FFTW's c2r does) into `buffers.output`.
    @inline(__always)
    public func inverse(_ buffers: Buffers) {
        fftwf_execute_dft_c2r(plan, buffers.input, buffers.output)
    }

    /// FFTW-aligned arrays owned by one caller: `size/2 + 1` complex bins in, `size` reals out.
    public final class Buffers {
        public let input: UnsafeMutablePointer<fftwf_complex>
        public let output: UnsafeMutablePointer<Float>

        init(size: Int) {
            guard let input = fftwf_alloc_complex(size / 2 + 1), let output = fftwf_alloc_real(size) else {
                fatalError("FFTW could not allocate buffers of \(size) samples")
            }
            self.input = input
            self.output = output
        }

        deinit {
            fftwf_free(input)
            fftwf_free(output)
        }

        /// Interleaved (re, im) view of the input bins.
        public var interleavedInput: UnsafeMutablePointer<Float> {
            UnsafeMutableRawPointer(input).assumingMemoryBound(to: Float.self)
        }
    }
}

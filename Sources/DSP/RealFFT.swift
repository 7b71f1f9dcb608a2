import CFFTW3f

/// A single-precision real-to-complex FFTW plan of one size, made once and shared.
///
/// Execution uses FFTW's new-array interface (`fftwf_execute_dft_r2c`), which is thread-safe;
/// every caller passes its own buffers from `makeBuffers()` (SIMD-aligned by `fftwf_malloc`, as
/// the plan requires). Planning itself goes through FFTW's thread-safe planner.
public final class RealFFT: @unchecked Sendable {
    // @unchecked: the plan is immutable after init and only executed through the thread-safe
    // new-array call; it is destroyed in deinit when no caller can hold it any more.
    public let size: Int
    private let plan: fftwf_plan

    public init(size: Int) {
        precondition(size > 0 && size % 2 == 0, "FFT size must be even and positive")
        fftwf_make_planner_thread_safe()
        self.size = size
        guard let input = fftwf_alloc_real(size), let output = fftwf_alloc_complex(size / 2 + 1) else {
            fatalError("FFTW could not allocate planning buffers of \(size) samples")
        }
        defer {
            fftwf_free(input)
            fftwf_free(output)
        }
        // FFTW_MEASURE overwrites the arrays while planning; these scratch arrays are discarded.
        guard let plan = fftwf_plan_dft_r2c_1d(Int32(size), input, output, UInt32(FFTW_MEASURE)) else {
            fatalError("FFTW could not plan a real FFT of \(size) samples")
        }
        self.plan = plan
    }

    deinit { fftwf_destroy_plan(plan) }

    /// Aligned scratch buffers for one caller: `size` reals in, `size/2 + 1` complex bins out.
    public func makeBuffers() -> Buffers { Buffers(size: size) }

    /// Transforms `buffers.input` into `buffers.output`.
    @inline(__always)
    public func forward(_ buffers: Buffers) {
        fftwf_execute_dft_r2c(plan, buffers.input, buffers.output)
    }

    /// FFTW-aligned input and output arrays owned by one caller (not shared between threads).
    public final class Buffers {
        public let input: UnsafeMutablePointer<Float>
        public let output: UnsafeMutablePointer<fftwf_complex>
        public let binCount: Int

        init(size: Int) {
            guard let input = fftwf_alloc_real(size), let output = fftwf_alloc_complex(size / 2 + 1) else {
                fatalError("FFTW could not allocate buffers of \(size) samples")
            }
            self.input = input
            self.output = output
            binCount = size / 2 + 1
        }

        deinit {
            fftwf_free(input)
            fftwf_free(output)
        }

        /// Interleaved (re, im) view of the output bins.
        public var interleavedOutput: UnsafeMutablePointer<Float> {
            UnsafeMutableRawPointer(output).assumingMemoryBound(to: Float.self)
        }
    }
}

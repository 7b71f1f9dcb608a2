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
    /// Where the plan came from (shipped wisdom or `FFTW_ESTIMATE` on this machine).
    public let planSource: FFTPlanning.Source

    /// Plans a transform of `size` (`FFTPlanning.shippedWisdom`, the deterministic default,
    /// unless a benchmark asks otherwise).
    public init(size: Int, planning: FFTPlanning = .shippedWisdom) {
        self.size = size
        (plan, planSource) = FFTWRealBuffers.plan(size: size, kind: "a real FFT", planning: planning) {
            fftwf_plan_dft_r2c_1d(Int32(size), $0, $1, $2)
        }
    }

    deinit { fftwf_destroy_plan(plan) }

    /// Aligned scratch buffers for one caller: `size` reals in, `size/2 + 1` complex bins out.
    public func makeBuffers() -> FFTWRealBuffers { FFTWRealBuffers(size: size) }

    /// Transforms `buffers.real` into `buffers.complex`.
    @inline(__always)
    public func forward(_ buffers: FFTWRealBuffers) {
        fftwf_execute_dft_r2c(plan, buffers.real, buffers.complex)
    }
}

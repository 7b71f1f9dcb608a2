import CFFTW3f

/// A single-precision complex-to-real FFTW plan (unnormalised inverse of `RealFFT`), made once
/// and executed through FFTW's thread-safe new-array interface with per-caller buffers.
public final class InverseRealFFT: @unchecked Sendable {
    // @unchecked: the plan is immutable after init and only executed through the thread-safe
    // new-array call (see RealFFT).
    public let size: Int
    private let plan: fftwf_plan
    /// Where the plan came from (shipped wisdom or `FFTW_ESTIMATE` on this machine).
    public let planSource: FFTPlanning.Source

    /// Plans a transform of `size` (see `RealFFT.init(size:planning:)`).
    public init(size: Int, planning: FFTPlanning = .shippedWisdom) {
        self.size = size
        (plan, planSource) = FFTWRealBuffers.plan(size: size, kind: "an inverse real FFT", planning: planning) {
            fftwf_plan_dft_c2r_1d(Int32(size), $1, $0, $2)
        }
    }

    deinit { fftwf_destroy_plan(plan) }

    /// Aligned scratch buffers for one caller: `size/2 + 1` complex bins in, `size` reals out.
    public func makeBuffers() -> FFTWRealBuffers { FFTWRealBuffers(size: size) }

    /// Transforms `buffers.complex` (destroyed, as FFTW's c2r does) into `buffers.real`.
    @inline(__always)
    public func inverse(_ buffers: FFTWRealBuffers) {
        fftwf_execute_dft_c2r(plan, buffers.complex, buffers.real)
    }
}

import CFFTW3f

/// How FFTW chooses the algorithm for a transform size.
///
/// stemtrace plans with `FFTW_ESTIMATE`: FFTW picks the algorithm from its operation-count
/// model, with no timing, so every process on the same machine (same CPU features, same FFTW
/// build) runs the same algorithm and produces the same bytes. `FFTW_MEASURE` instead times
/// candidate algorithms in each process. Timing noise then picks different algorithms from run
/// to run, and their float rounding differs by up to about 1e-6, which made identical ingests
/// store different checksums. It also spent about three quarters of a one-file `stemtrace
/// spectrogram` run on planning. docs/BENCHMARKS.md ("FFT planning") gives the cost of each.
/// http://www.fftw.org/fftw3_doc/Planner-Flags.html
public enum FFTPlanning: Sendable {
    /// Deterministic: the algorithm follows from the size and the CPU's features alone.
    case estimate
    /// Timed per process: not deterministic. Kept only so that benchmarks can compare the two.
    case measure

    var flags: UInt32 {
        switch self {
        case .estimate: UInt32(FFTW_ESTIMATE)
        case .measure: UInt32(FFTW_MEASURE)
        }
    }
}

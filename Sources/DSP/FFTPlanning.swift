import CFFTW3f

/// How FFTW chooses the algorithm for a transform size.
///
/// Every stage plans with `shippedWisdom`: the algorithm `FFTW_MEASURE` chose once, on the
/// maintainers' machine, read from wisdom compiled into stemtrace (`FFTWisdom`), with no timing
/// in the process; where FFTW cannot use that wisdom (another FFTW build, a CPU without the SIMD
/// codelets it names, a size it does not cover) the plan falls back to `FFTW_ESTIMATE`, which
/// picks the algorithm from FFTW's operation-count model. Either way the algorithm follows from
/// the FFTW build, the CPU's features and the size alone, so every process on a machine runs the
/// same one and stores the same bytes. `FFTW_MEASURE` in the process instead times candidates
/// every time: timing noise picks different algorithms from run to run, whose float rounding
/// differs by up to about 1e-6 (identical ingests stored different checksums), and measuring cost
/// about 150 ms per size and process. docs/BENCHMARKS.md ("FFT planning") gives the costs.
/// http://www.fftw.org/fftw3_doc/Planner-Flags.html, http://www.fftw.org/fftw3_doc/Wisdom.html
public enum FFTPlanning: Sendable {
    /// Deterministic and measured: the shipped wisdom where FFTW can use it, else `estimate`.
    case shippedWisdom
    /// Deterministic: the algorithm follows from the size and the CPU's features alone.
    case estimate
    /// Timed per process: not deterministic. Kept only so that benchmarks can compare.
    case measure

    /// Where a plan came from.
    public enum Source: String, Sendable {
        case shippedWisdom = "shipped wisdom"
        case estimate = "FFTW_ESTIMATE"
        case measure = "FFTW_MEASURE"
    }

    /// Makes a plan with `make(flags)`: for `shippedWisdom`, from the wisdom alone
    /// (`FFTW_WISDOM_ONLY`, which returns nil rather than measure) and else with `FFTW_ESTIMATE`.
    func plan(_ make: (UInt32) -> fftwf_plan?) -> (plan: fftwf_plan?, source: Source) {
        switch self {
        case .shippedWisdom:
            if FFTWisdom.imported, let plan = make(UInt32(FFTW_MEASURE) | UInt32(FFTW_WISDOM_ONLY)) {
                return (plan, .shippedWisdom)
            }
            return (make(UInt32(FFTW_ESTIMATE)), .estimate)
        case .estimate: return (make(UInt32(FFTW_ESTIMATE)), .estimate)
        case .measure: return (make(UInt32(FFTW_MEASURE)), .measure)
        }
    }
}

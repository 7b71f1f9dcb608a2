import CFFTW3f
import COpenBLAS

/// The versions of FFTW and OpenBLAS this process actually loaded, for run provenance
/// (OpenBLAS reports its build configuration, e.g. `OpenBLAS 0.3.21 DYNAMIC_ARCH … Zen`).
public enum NumericLibraryVersions {
    public static var all: [String: String] {
        [
            "fftw": String(cString: stemtrace_fftwf_version()),
            "openblas": openblas_get_config().map { String(cString: $0) } ?? "unknown",
        ]
    }
}

import CFFTW3f
import COpenBLAS

/// The versions of FFTW and OpenBLAS this process actually loaded, and where its FFT plans come
/// from (whether FFTW took the shipped wisdom), for run provenance
/// (OpenBLAS reports its build configuration, e.g. `OpenBLAS 0.3.21 DYNAMIC_ARCH … Zen`).
public enum NumericLibraryVersions {
    public static var all: [String: String] {
        [
            "fftw": String(cString: stemtrace_fftwf_version()),
            "fftw_plans": FFTWisdom.imported ? "shipped wisdom (\(FFTWisdom.sizes)), else FFTW_ESTIMATE" : "FFTW_ESTIMATE",
            "openblas": openblas_get_config().map { String(cString: $0) } ?? "unknown",
        ]
    }
}

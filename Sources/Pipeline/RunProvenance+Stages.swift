import AudioIO
import DSP
import Inference
import Store

extension RunProvenance {
    /// This process's provenance with the versions of every library a stage can load: libsndfile
    /// and libsoxr (AudioIO), FFTW and OpenBLAS (DSP), oneDNN (Inference), LZ4 (Store); the
    /// SQLite version is added when the run row is written.
    public static func stages() -> RunProvenance {
        let libraries = AudioLibraryVersions.all
            .merging(NumericLibraryVersions.all) { a, _ in a }
            .merging(InferenceLibraryVersions.all) { a, _ in a }
        return .current(libraries: libraries)
    }
}

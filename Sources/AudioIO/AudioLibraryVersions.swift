import CSndfile
import CSoxr

/// The versions of the audio libraries this process actually loaded, for run provenance.
public enum AudioLibraryVersions {
    public static var all: [String: String] {
        ["libsndfile": String(cString: sf_version_string()), "libsoxr": String(cString: soxr_version())]
    }
}

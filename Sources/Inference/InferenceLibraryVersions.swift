import CDNNL

/// The oneDNN version this process actually loaded, for run provenance (`major.minor.patch`
/// and its git hash).
public enum InferenceLibraryVersions {
    public static var all: [String: String] {
        guard let v = dnnl_version()?.pointee else { return ["onednn": "unknown"] }
        let hash = v.hash.map { String(cString: $0) }.flatMap { $0 == "N/A" ? nil : $0 } ?? ""
        return ["onednn": "\(v.major).\(v.minor).\(v.patch)" + (hash.isEmpty ? "" : " (\(hash))")]
    }
}

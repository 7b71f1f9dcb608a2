import Foundation

/// A new empty folder under the system's temporary directory, named `prefix-UUID`; each test
/// removes its own (CoreTests does not link TestSupport's per-process scratch root).
func scratchDirectory(_ prefix: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

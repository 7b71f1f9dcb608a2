import Core
import Foundation
import Inference

/// Locates the test fixtures in Tests/Fixtures (copied from the shared reference data so a fresh
/// clone tests on its own) and loads the spectrogram goldens once.
public enum Fixtures {
    public static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    public static func url(_ relative: String) -> URL { directory.appendingPathComponent(relative) }

    /// Every tensor of `spectrogram/spectrogram_goldens.safetensors`.
    public static func spectrogramGoldens() throws -> [String: Tensor] {
        try Safetensors.read(contentsOf: url("spectrogram/spectrogram_goldens.safetensors"))
    }

    /// The clip names listed in the golden manifest (tests loop over these, never hard-code them).
    public static func spectrogramClips() throws -> [String] {
        let data = try Data(contentsOf: url("spectrogram/manifest.json"))
        let json = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        return ((json?["clips"] as? [String: Any])?.keys.map { $0 } ?? []).sorted()
    }

    /// A fresh empty directory, `label-UUID`, under this process's `scratchRoot`.
    public static func temporaryDirectory(_ label: String = "stemtrace") throws -> URL {
        let url = scratchRoot.appendingPathComponent("\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// One directory under the system temp directory for every scratch directory of this test
    /// process, removed when the process exits: stores, corpora and model files written by the
    /// tests, several GB per run, had piled up in /tmp run after run until a disk filled.
    public static let scratchRoot: URL = {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent(
            "stemtrace-tests-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: Fixtures.scratchRoot) }
        return root
    }()
}

/// The largest absolute difference between two arrays and where it occurs (for loud failures).
public func worstDifference(_ a: [Float], _ b: [Float]) -> (index: Int, value: Float, expected: Float, error: Float) {
    precondition(a.count == b.count, "length \(a.count) vs \(b.count)")
    var worst = (index: -1, value: Float(0), expected: Float(0), error: Float(0))
    for i in 0..<a.count {
        let e = abs(a[i] - b[i])
        if e > worst.error || e.isNaN { worst = (i, a[i], b[i], e) }
    }
    return worst
}

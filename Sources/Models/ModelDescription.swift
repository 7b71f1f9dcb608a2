import Core
import Foundation
import Inference

/// What a model file is, for `stemtrace model info`: kind, content id, tensors and parameter
/// count, its metadata, and — for a file written by `stemtrace train` — the two cross-validation
/// reports (the paper's Table 1) it carries.
public struct ModelDescription: Sendable, Encodable {
    public var path: String
    public var id: String
    public var kind: String
    public var bytes: Int
    /// Tensor name → shape.
    public var tensors: [String: [Int]]
    /// Elements over all tensors (weights and, for networks, batch-norm statistics).
    public var values: Int
    /// The file's metadata without the reports.
    public var metadata: [String: String]
    /// `midlevel` and `emotion` reports when the file was written by `stemtrace train`.
    public var reports: [String: TrainingReport]?
    /// Whether files of this kind come from `stemtrace train` (so a missing report is worth saying).
    public let canCarryReport: Bool

    enum CodingKeys: String, CodingKey { case path, id, kind, bytes, tensors, values, metadata, reports }

    public init(contentsOf url: URL) throws {
        let loaded = try LoadedModel(contentsOf: url)
        path = url.path
        id = loaded.id
        kind = loaded.kind.rawValue
        canCarryReport = loaded.definition.canCarryTrainingReport
        bytes = ((try? FileManager.default.attributesOfItem(atPath: url.path)[.size]) as? NSNumber)?.intValue ?? 0
        tensors = loaded.tensors.mapValues(\.shape)
        values = loaded.tensors.values.reduce(0) { $0 + $1.count }
        metadata = loaded.metadata.filter { $0.key != "report" }
        reports = loaded.metadata["report"].flatMap {
            try? JSONDecoder().decode([String: TrainingReport].self, from: Data($0.utf8))
        }
    }

    /// A few lines for the terminal, with the reports as tables.
    public func text() -> String {
        var lines = [
            path,
            "  \(kind), id \(id), \(bytes) bytes, \(tensors.count) tensors, \(values) values",
        ]
        if let backbone = metadata["backbone"] {
            let embedding = metadata["embedding"].map { " (\($0) embedding)" } ?? ""
            lines.append("  layers fitted on backbone \(backbone)\(embedding)")
        }
        if let mid = metadata["tracks_midlevel"], let emo = metadata["tracks_emotion"] {
            let group = metadata["group_column"].flatMap { $0.isEmpty ? nil : ", folds grouped by \($0)" } ?? ""
            lines.append("  \(mid) tracks with mid-level labels, \(emo) with emotion labels\(group)")
        }
        var text = lines.joined(separator: "\n") + "\n"
        for (title, key) in [("mid-level layer (embedding → concepts)", "midlevel"), ("emotion layer", "emotion")] {
            if let report = reports?[key] { text += "\n\(title):\n" + report.table() }
        }
        if reports == nil, canCarryReport {
            text += "  no training report (not written by stemtrace train)\n"
        }
        return text
    }
}

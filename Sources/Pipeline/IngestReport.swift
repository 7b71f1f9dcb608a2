import Foundation

/// The final plain-text summary of an ingest run.
public enum IngestReport {
    public static func render(_ s: IngestSummary, store: String) -> String {
        var lines = [
            "ingest run \(s.runId) into \(store): \(s.found) audio files in \(String(format: "%.1f", s.seconds)) s"
                + (s.partition.map { ", partition \($0)" } ?? ""),
            "  stored      \(s.counts.succeeded)",
            "  duplicates  \(s.counts.duplicates)  (same audio already stored; path recorded)",
            "  unchanged   \(s.counts.skipped)  (already ingested from the same path)",
        ]
        if let partition = s.partition {
            lines.append("  other partition \(s.otherPartition)  (audio outside partition \(partition); not stored)")
        }
        lines.append("  failed      \(s.counts.failed)")
        for f in s.failures { lines.append("    \(f.path): \(f.reason)") }
        if !s.warnings.isEmpty {
            lines.append("  warnings    \(s.warnings.count)  (stored; recorded in run_warnings)")
            for w in s.warnings { lines.append("    \(w.path): \(w.reason)") }
        }
        if let a = s.largestAbsorbed {
            let size = String(
                format: "%.3g (%.1f dB re the excerpt's peak)", Double(a.residual.peak), a.residual.decibelsBelowPeak)
            lines.append(
                "  absorbed    \(size): the largest difference between an excerpt and its separator's own stems, "
                    + "added to '\(a.residual.stem)' so that stems add up to the excerpt (\(a.path))")
        }
        return lines.joined(separator: "\n")
    }
}

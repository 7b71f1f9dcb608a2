import Foundation
import Pipeline

/// Fuzz target for the two CSV readers, on the same file: `MetadataTable(url:)` (`ingest
/// --metadata`) with a row lookup as ingest makes it, and `LabelsImport.parse` (the part of
/// `labels import` that reads the file). Both read through SwiftCSV, which is fuzzed with them.
public enum CSVFuzzTarget {
    /// The corpus folder the lookups pretend the tracks live in.
    static let corpus = URL(fileURLWithPath: "/corpus")

    public static func run(_ data: Data) {
        ScratchFile.with(data, extension: "csv") { url in
            if let table = try? MetadataTable(url: url) {
                for file in ["a.wav", "music/b.flac"] {
                    _ = table.facts(for: corpus.appendingPathComponent(file), corpus: corpus)
                }
            }
            _ = try? LabelsImport.parse(csv: url, scales: [:], defaultScale: nil)
        }
    }
}

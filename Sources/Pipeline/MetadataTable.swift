import Foundation
import SwiftCSV

/// A user CSV joined to tracks by path or file name (`--metadata FILE.csv`). The key column is
/// the first of `path`, `file`, `filename`, `file_name` present (else the first column); it may
/// hold paths relative to the corpus, absolute paths, or bare file names. Every other column
/// becomes metadata; a `genre` column (case-insensitive; several values split on `;`, `|` or `,`)
/// also becomes tags.
public struct MetadataTable: Sendable {
    public let keyColumn: String
    public let columns: [String]
    private let rows: [String: [String: String]]

    public init(url: URL) throws(PipelineError) {
        let csv: CSV<Named>
        do { csv = try CSV<Named>(url: url) } catch {
            throw .badMetadata(path: url.path, reason: "\(error)")
        }
        let header = csv.header
        guard !header.isEmpty else { throw .badMetadata(path: url.path, reason: "no header row") }
        let key =
            ["path", "file", "filename", "file_name"].compactMap { name in
                header.first { $0.lowercased() == name }
            }.first ?? header[0]
        var rows: [String: [String: String]] = [:]
        for row in csv.rows {
            guard let k = row[key]?.trimmingCharacters(in: .whitespaces), !k.isEmpty else { continue }
            rows[k] = row
        }
        self.keyColumn = key
        self.columns = header.filter { $0 != key }
        self.rows = rows
    }

    /// The row for a file: by path relative to the corpus, absolute path, or file name.
    public func row(for file: URL, corpus: URL) -> [String: String]? {
        let absolute = file.standardizedFileURL.path
        let base = corpus.standardizedFileURL.path
        let relative = absolute.hasPrefix(base + "/") ? String(absolute.dropFirst(base.count + 1)) : absolute
        return rows[relative] ?? rows[absolute] ?? rows[file.lastPathComponent]
    }

    /// Metadata (column → value, key column excluded, empty values dropped) and genre tags of a row.
    public func facts(for file: URL, corpus: URL) -> (metadata: [String: String], genres: [String]) {
        guard let row = row(for: file, corpus: corpus) else { return ([:], []) }
        var metadata: [String: String] = [:]
        var genres: [String] = []
        for column in columns {
            guard let value = row[column]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { continue }
            metadata[column] = value
            if column.lowercased() == "genre" { genres += Self.splitGenres(value) }
        }
        return (metadata, genres)
    }

    /// Genre strings normalised to lower-case tags.
    public static func splitGenres(_ value: String) -> [String] {
        value.split(whereSeparator: { ";|,".contains($0) })
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            .filter { !$0.isEmpty }
    }
}

import Core
import Foundation

/// A query's answer: named columns and rows of values, printed as an aligned table on the
/// terminal or written as CSV or JSON for scripts.
public struct QueryTable: Sendable, Equatable {
    /// One cell.
    public enum Value: Sendable, Equatable, Encodable {
        case text(String)
        case number(Double)
        case integer(Int)
        /// A probability or p-value: a number in CSV and JSON, shown with two significant digits
        /// (tiny values in exponent form) on the terminal.
        case probability(Double)
        case missing

        public func encode(to encoder: Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case let .text(s): try c.encode(s)
            case let .number(d), let .probability(d): if d.isFinite { try c.encode(d) } else { try c.encodeNil() }
            case let .integer(i): try c.encode(i)
            case .missing: try c.encodeNil()
            }
        }

        var display: String {
            switch self {
            case let .text(s): s
            case let .number(d): d.isFinite ? String(format: "%.4f", d) : ""
            case let .integer(i): String(i)
            case let .probability(p): p.isFinite ? String(format: "%.2g", p) : ""
            case .missing: ""
            }
        }

        /// The value for CSV: full precision numbers.
        var csv: String {
            switch self {
            case let .number(d), let .probability(d): d.isFinite ? "\(d)" : ""
            default: display
            }
        }

        public var number: Double? {
            switch self {
            case let .number(d), let .probability(d): d
            case let .integer(i): Double(i)
            default: nil
            }
        }
    }

    public var title: String
    public var columns: [String]
    public var rows: [[Value]]
    /// Lines printed under the table (what was filtered, how genres were assigned).
    public var notes: [String] = []

    public init(title: String, columns: [String], rows: [[Value]], notes: [String] = []) {
        self.title = title
        self.columns = columns
        self.rows = rows
        self.notes = notes
    }

    /// Output formats of `stemtrace query`.
    public enum Format: String, Sendable, CaseIterable { case table, csv, json }

    public func render(_ format: Format) -> String {
        switch format {
        case .table: terminal()
        case .csv: csv()
        case .json: json()
        }
    }

    func terminal() -> String {
        let table = TextTable(header: columns, rows: rows.map { $0.map(\.display) })
        return ([title] + table.lines() + notes).joined(separator: "\n") + "\n"
    }

    func csv() -> String { CSVWriter.document(header: columns, rows: rows.map { $0.map(\.csv) }) }

    func json() -> String {
        struct Document: Encodable {
            let title: String
            let columns: [String]
            let rows: [[String: Value]]
            let notes: [String]
        }
        let objects = rows.map { row in Dictionary(zip(columns, row).map { ($0, $1) }) { a, _ in a } }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = (try? encoder.encode(Document(title: title, columns: columns, rows: objects, notes: notes))) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}

extension QueryTable {
    /// The columns every per-genre table adds (issue 16), named for scripts (pandas reads them
    /// from CSV and JSON as they are): the genre's and the rest's bootstrap intervals, and the
    /// difference's permutation p-value and Benjamini–Hochberg q-value.
    public static let uncertaintyColumns = [
        "genre_ci_low", "genre_ci_high", "rest_ci_low", "rest_ci_high", "difference_p", "difference_q",
    ]

    static func uncertaintyCells(genre: Interval?, rest: Interval?, p: Double?, q: Double?) -> [Value] {
        [
            genre.map { .number($0.low) } ?? .missing, genre.map { .number($0.high) } ?? .missing,
            rest.map { .number($0.low) } ?? .missing, rest.map { .number($0.high) } ?? .missing,
            p.map { .probability($0) } ?? .missing, q.map { .probability($0) } ?? .missing,
        ]
    }
}

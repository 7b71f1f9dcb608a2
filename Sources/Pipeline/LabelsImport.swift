import Foundation
import Inference
import Store
import SwiftCSV

/// `stemtrace labels import FILE.csv`: ground-truth annotations (arousal, valence and/or the 7
/// mid-level features) attached to stored tracks, rescaled linearly from the scale they use to
/// [-1, 1] as the paper does, so prediction errors can be computed.
///
/// The key column is the first of `track_id`, `track`, `id`, `path`, `file`, `filename`,
/// `file_name` present: a track id, a path (absolute, or relative to any ingested folder: matched
/// as a path suffix) or a bare file name (which must be unique in the store). Columns named like
/// a model target (case-insensitive, spaces and dashes as underscores; `melodiousness` is accepted
/// for `melody`) are imported; others are listed as ignored. The scale is given per column with
/// `--scale NAME=MIN:MAX` or for all with `--scale MIN:MAX`; otherwise the smallest common scale
/// that holds every value of a column is assumed and reported.
public enum LabelsImport {
    public struct Summary: Sendable {
        public var imported = 0
        public var tracks = 0
        public var columns: [String: (min: Double, max: Double, detected: Bool)] = [:]
        public var ignoredColumns: [String] = []
        public var unmatched: [String] = []
        public var invalid: [String] = []
    }

    /// Scales a column may be on, narrowest first; the first that holds every value is assumed.
    public static let commonScales: [(Double, Double)] = [(0, 1), (-1, 1), (1, 5), (1, 7), (1, 9), (1, 10), (0, 10), (0, 100)]

    /// Names labels can have: the RF-ResNet's concepts and outputs.
    public static let knownNames = RFResNet.conceptNames + RFResNet.outputNames

    /// A labels CSV read and checked before any track is looked up: each label's values with their
    /// CSV row and key, the scale of each label, and the summary so far.
    public struct ParsedCSV: Sendable {
        public var values: [String: [(row: Int, key: String, value: Double)]]
        public var ranges: [String: ClosedRange<Double>]
        public var summary: Summary
    }

    /// The part of `run` that reads the CSV. It needs no store, so the fuzz target
    /// (Sources/FuzzTargets) reads hostile files through exactly the code `run` uses.
    public static func parse(
        csv file: URL, scales: [String: ClosedRange<Double>], defaultScale: ClosedRange<Double>?
    ) throws -> ParsedCSV {
        let csv: CSV<Named>
        do { csv = try CSV<Named>(url: file) } catch { throw PipelineError.badMetadata(path: file.path, reason: "\(error)") }
        let header = csv.header
        let keys = ["track_id", "track", "id", "path", "file", "filename", "file_name"]
        guard let key = keys.compactMap({ k in header.first { $0.lowercased() == k } }).first else {
            throw PipelineError.badMetadata(
                path: file.path,
                reason: "no key column (one of \(keys.joined(separator: ", "))); found \(header.joined(separator: ", "))")
        }
        var summary = Summary()
        var columns: [String: String] = [:]  // label name → CSV column
        for column in header where column != key {
            var name = column.lowercased().replacingOccurrences(of: " ", with: "_").replacingOccurrences(of: "-", with: "_")
            if name == "melodiousness" { name = "melody" }
            if knownNames.contains(name) { columns[name] = column } else { summary.ignoredColumns.append(column) }
        }
        guard !columns.isEmpty else {
            throw PipelineError.badMetadata(
                path: file.path, reason: "no label column; expected any of \(knownNames.joined(separator: ", "))")
        }
        for (name, _) in scales where columns[name] == nil {
            throw PipelineError.invalidOption("--scale names '\(name)', which is not a label column of \(file.lastPathComponent)")
        }
        // Values per column, then the scale of each column.
        var values: [String: [(row: Int, key: String, value: Double)]] = [:]
        for (r, row) in csv.rows.enumerated() {
            guard let k = row[key]?.trimmingCharacters(in: .whitespaces), !k.isEmpty else { continue }
            for (name, column) in columns {
                guard let text = row[column]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { continue }
                guard let v = Double(text), v.isFinite else {
                    summary.invalid.append("row \(r + 2), \(column): '\(text)' is not a number")
                    continue
                }
                values[name, default: []].append((r + 2, k, v))
            }
        }
        var ranges: [String: ClosedRange<Double>] = [:]
        for (name, column) in columns {
            let observed = (values[name] ?? []).map(\.value)
            if let given = scales[name] ?? defaultScale {
                ranges[name] = given
                summary.columns[column] = (given.lowerBound, given.upperBound, false)
            } else if let lo = observed.min(), let hi = observed.max() {
                guard let scale = commonScales.first(where: { $0.0 <= lo && hi <= $0.1 }) else {
                    throw PipelineError.invalidOption(
                        "\(file.lastPathComponent), column \(column): values run from \(lo) to \(hi), outside every common scale; give --scale \(name)=MIN:MAX"
                    )
                }
                ranges[name] = scale.0...scale.1
                summary.columns[column] = (scale.0, scale.1, true)
            }
        }
        return ParsedCSV(values: values, ranges: ranges, summary: summary)
    }

    public static func run(
        store url: URL, csv file: URL, scales: [String: ClosedRange<Double>], defaultScale: ClosedRange<Double>?
    )
        throws -> Summary
    {
        let parsed = try parse(csv: file, scales: scales, defaultScale: defaultScale)
        var summary = parsed.summary
        let (values, ranges) = (parsed.values, parsed.ranges)

        let store = try Store.open(at: url)
        let (tracks, sources) = (try store.catalog.tracks(), try store.catalog.trackSources())
        let ids = Set(tracks.map(\.id))
        var paths: [(path: String, track: String)] = tracks.map { ($0.sourcePath, $0.id) }
        paths += sources.map { ($0.path, $0.trackId) }
        func resolve(_ k: String) -> String? {
            if ids.contains(k) { return k }
            let bySuffix = Set(paths.filter { $0.path == k || $0.path.hasSuffix("/" + k) }.map(\.track))
            return bySuffix.count == 1 ? bySuffix.first : nil
        }
        let now = Timestamp.now()
        var records: [LabelRecord] = []
        var unmatched = Set<String>()
        for (name, rows) in values {
            guard let range = ranges[name] else { continue }
            for row in rows {
                guard let track = resolve(row.key) else {
                    unmatched.insert(row.key)
                    continue
                }
                guard range.contains(row.value), range.upperBound > range.lowerBound else {
                    summary.invalid.append("row \(row.row), \(name): \(row.value) is outside the scale \(range)")
                    continue
                }
                let scaled = 2 * (row.value - range.lowerBound) / (range.upperBound - range.lowerBound) - 1
                records.append(
                    LabelRecord(
                        trackId: track, name: name, value: scaled, rawValue: row.value, scaleMin: range.lowerBound,
                        scaleMax: range.upperBound, source: file.lastPathComponent, createdAt: now))
            }
        }
        try store.writer().store(labels: records)
        summary.imported = records.count
        summary.tracks = Set(records.map(\.trackId)).count
        summary.unmatched = unmatched.sorted()
        return summary
    }
}

import Core
import DSP
import Foundation
import Separation
import Store

/// Why a separation evaluation could not produce any score.
public enum SeparationEvaluationError: Error, Equatable, CustomStringConvertible {
    /// The reference directory does not exist.
    case missingReference(path: String)
    /// The store holds no stems (from the chosen separator); `available` lists the producers it has.
    case noStems(store: String, separator: String?, available: [String])
    /// No track with stems has a folder in the reference directory.
    case noMatchingReferences(reference: String, tracks: Int, examples: [String])
    /// Tracks matched reference folders but none could be scored.
    case nothingScored(reference: String, reasons: [String])
    /// Writing the CSV failed.
    case io(path: String, reason: String)

    public var description: String {
        switch self {
        case let .missingReference(p): "\(p): no such reference directory"
        case let .noStems(store, separator, available):
            if let separator {
                "\(store): no stems from a separator matching '\(separator)'"
                    + (available.isEmpty ? "" : " (stems exist from: \(available.joined(separator: ", ")))")
            } else {
                "\(store): no stems in the store (ingest with a separator first)"
            }
        case let .noMatchingReferences(reference, tracks, examples):
            "\(reference): none of the \(tracks) tracks with stems has a reference folder "
                + "(looked for the parent folder name or the file name of: \(examples.joined(separator: ", ")))"
        case let .nothingScored(reference, reasons):
            "\(reference): no track could be scored: " + reasons.joined(separator: "; ")
        case let .io(p, r): "\(p): \(r)"
        }
    }
}

/// `stemtrace eval-separation`: scores the stems in a store against reference stems on disk, as
/// The maintainers' separation reference (SEPARATION.md) scores separators (SI-SDR and SDR in float64 on the whole
/// excerpt, all-zero references skipped, "other" reference = piano + other for a separator without
/// a piano stem), next to two baselines: the mixture as every stem and the mixture split evenly.
///
/// The reference directory has a folder per piece (`REF/<piece>/<stem>.flac`, any audio extension;
/// see `StemFolder`). A track's folder is the parent folder name of one of its source paths
/// (`/x/hh01/mixture.flac` → `REF/hh01/`), else one source's file name without extension
/// (`/x/hh01.wav` → `REF/hh01/`). Reference stems are cut to the track's stored excerpt window at
/// the excerpt's sample rate, exactly as ingest prepared the mixture.
public enum SeparationEvaluation {
    public typealias Estimate = SeparationScoring.Estimate
    public typealias Score = SeparationScoring.Score
    public typealias SummaryRow = SeparationScoring.SummaryRow

    /// See `SeparationScoring.referenceFolder`.
    public static func referenceFolder(sources: [String], reference: URL) -> (piece: String, folder: URL, source: String)? {
        SeparationScoring.referenceFolder(sources: sources, reference: reference)
    }

    /// A track (or one separator's stems of it) left out, and why.
    public struct Skip: Sendable, Equatable {
        public var trackId: String
        public var source: String
        /// The separator concerned; `nil` when the whole track was skipped.
        public var producer: String?
        public var reason: String
    }

    /// A reference stem that is all zero in a track's window: undefined metrics, not scored.
    public struct SilentReference: Sendable, Equatable, Hashable {
        public var trackId: String
        public var piece: String
        public var stem: String
    }

    /// Everything an evaluation found.
    public struct Report: Sendable, Equatable {
        public var reference: String
        public var scores: [Score]
        public var summary: [SummaryRow]
        public var skipped: [Skip]
        public var silentReferences: [SilentReference]
        /// Tracks whose stored mix does not match the sum of their reference stems (wrong folder or window?).
        public var warnings: [String]
        /// Tracks with at least one score.
        public var tracksScored: Int
    }

    /// Below this SI-SDR (dB) of the stored mix against the sum of the reference stems, the match
    /// between track and reference folder is reported as doubtful.
    public static let agreementWarning = 10.0

    /// Scores every track with stems (from producers starting with `separator`, when given: a full
    /// id such as `bandsplit@1#abcdef012345` or a name such as `bandsplit`) that has a reference folder.
    /// Tracks without a folder, or whose reference cannot be loaded, are reported in `skipped`;
    /// throws only when nothing at all can be scored.
    public static func run(
        store: Store, reference: URL, separator: String? = nil, progress: ProgressReporter.Mode = .silent
    ) throws -> Report {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: reference.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw SeparationEvaluationError.missingReference(path: reference.path)
        }
        let allStems = try store.catalog.arrays(kind: "stem")
        let stems = allStems.filter { row in separator.map { row.producer.hasPrefix($0) } ?? true }
        guard !stems.isEmpty else {
            throw SeparationEvaluationError.noStems(
                store: store.root.path, separator: separator, available: Array(Set(allStems.map(\.producer))).sorted())
        }
        let (tracks, sources, excerpts) = (
            try store.catalog.tracks(), try store.catalog.trackSources(), try store.catalog.excerpts()
        )
        let trackRows = Dictionary(tracks.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let sourcesByTrack = Dictionary(grouping: sources, by: \.trackId).mapValues { $0.map(\.path).sorted() }
        let excerptRows = Dictionary(excerpts.compactMap { e in e.id.map { ($0, e) } }, uniquingKeysWith: { a, _ in a })

        struct Key: Hashable {
            var trackId: String
            var excerptId: Int64?
        }
        let groups = Dictionary(grouping: stems) { Key(trackId: $0.trackId, excerptId: $0.excerptId) }
        func paths(_ id: String) -> [String] {
            var all = trackRows[id].map { [$0.sourcePath] } ?? []
            for p in sourcesByTrack[id] ?? [] where !all.contains(p) { all.append(p) }
            return all
        }
        let keys = groups.keys.sorted {
            (paths($0.trackId).first ?? "", $0.trackId, $0.excerptId ?? -1) < (
                paths($1.trackId).first ?? "", $1.trackId, $1.excerptId ?? -1
            )
        }

        var report = Report(
            reference: reference.path, scores: [], summary: [], skipped: [], silentReferences: [], warnings: [], tracksScored: 0)
        var matched = 0
        var silent = Set<SilentReference>()
        let reporter = ProgressReporter(label: "eval-separation", total: keys.count, mode: progress)
        for key in keys {
            defer { reporter.advance() }
            let trackPaths = paths(key.trackId)
            guard let match = referenceFolder(sources: trackPaths, reference: reference) else {
                report.skipped.append(
                    Skip(
                        trackId: key.trackId, source: trackPaths.first ?? key.trackId, producer: nil,
                        reason: "no reference folder"))
                continue
            }
            matched += 1
            let outcome = evaluateTrack(
                key.trackId, match: match, excerpt: key.excerptId.flatMap { excerptRows[$0] }, stems: groups[key] ?? [],
                store: store)
            report.scores += outcome.scores
            report.skipped += outcome.skipped
            report.warnings += outcome.warnings
            silent.formUnion(outcome.silent)
        }
        reporter.finish()
        guard matched > 0 else {
            throw SeparationEvaluationError.noMatchingReferences(
                reference: reference.path, tracks: keys.count,
                examples: Array(keys.prefix(3).compactMap { paths($0.trackId).first }))
        }
        guard !report.scores.isEmpty else {
            throw SeparationEvaluationError.nothingScored(
                reference: reference.path, reasons: Array(report.skipped.prefix(5).map { "\($0.source): \($0.reason)" }))
        }
        report.tracksScored = Set(report.scores.map(\.trackId)).count
        report.silentReferences = silent.sorted { ($0.piece, $0.trackId, $0.stem) < ($1.piece, $1.trackId, $1.stem) }
        report.summary = SeparationScoring.summarize(report.scores)
        return report
    }

    /// What one track (under one excerpt) contributed.
    struct TrackOutcome {
        var scores: [Score] = []
        var silent: [SilentReference] = []
        var skipped: [Skip] = []
        var warnings: [String] = []
    }

    /// Loads the stored mix and the reference stems cut to the excerpt window, then scores every
    /// separator's stems of the track; every problem becomes a `Skip`.
    static func evaluateTrack(
        _ trackId: String, match: (piece: String, folder: URL, source: String), excerpt row: ExcerptRecord?,
        stems: [ArrayRecord], store: Store
    ) -> TrackOutcome {
        var outcome = TrackOutcome()
        func note(_ reason: String, producer: String? = nil) {
            outcome.skipped.append(Skip(trackId: trackId, source: match.source, producer: producer, reason: reason))
        }
        /// The outcome of a track skipped as a whole.
        func skipped(_ reason: String) -> TrackOutcome {
            note(reason)
            return outcome
        }
        guard let row, let excerptId = row.id else { return skipped("stems have no excerpt") }
        let mix: [Float]
        do {
            let rows = try store.catalog.arrays(kind: "mix", track: trackId)
            guard let mixRow = rows.first(where: { $0.excerptId == excerptId && $0.producer.isEmpty }) else {
                return skipped("no stored mix for excerpt \(excerptId)")
            }
            mix = try store.read(mixRow).floats()
        } catch {
            return skipped("cannot read the stored mix: \(error)")
        }
        let excerpt = Excerpt(
            policy: ExcerptPolicy(argument: row.policy) ?? .middle, startSample: row.startSample,
            sampleCount: row.sampleCount, looped: row.looped)
        let references: Stems
        do throws(SeparationError) {
            references = try StemFolder(directory: match.folder).load(sampleRate: row.sampleRate, excerpt: excerpt)
        } catch {
            return skipped("reference \(match.folder.path): \(error.reason)")
        }
        guard references.signals.first?.count == mix.count else {
            return skipped("reference window has \(references.signals.first?.count ?? 0) samples, the stored mix \(mix.count)")
        }
        if let agreement = SeparationMetrics.siSDR(estimate: mix, reference: sum(references.signals)),
            agreement < agreementWarning
        {
            outcome.warnings.append(
                "\(match.source): stored mix vs sum of the stems in \(match.folder.path): SI-SDR "
                    + String(format: "%.1f dB", agreement) + " (wrong reference folder or excerpt window?)")
        }
        let producers = Dictionary(grouping: stems, by: \.producer)
        for producer in producers.keys.sorted() {
            switch score(
                rows: producers[producer] ?? [], store: store, mix: mix, references: references,
                track: trackId, source: match.source, piece: match.piece, producer: producer)
            {
            case let .success(scored):
                outcome.scores += scored.scores
                outcome.silent += scored.silent
                for reason in scored.problems { note(reason, producer: producer) }
            case let .failure(problem):
                note(problem.reason, producer: producer)
            }
        }
        return outcome
    }

    /// A problem with one separator's stems of one track.
    struct Problem: Error {
        var reason: String
    }

    /// The scores of one separator on one track.
    struct Scored {
        var scores: [Score] = []
        var silent: [SilentReference] = []
        var problems: [String] = []
    }

    private static func score(
        rows: [ArrayRecord], store: Store, mix: [Float], references: Stems, track: String, source: String,
        piece: String, producer: String
    ) -> Result<Scored, Problem> {
        var estimates: [String: [Float]] = [:]
        for row in rows {
            do {
                let signal = try store.read(row).floats()
                guard signal.count == mix.count else {
                    return .failure(Problem(reason: "stem '\(row.name)' has \(signal.count) samples, the mix \(mix.count)"))
                }
                estimates[row.name] = signal
            } catch {
                return .failure(Problem(reason: "cannot read stem '\(row.name)': \(error)"))
            }
        }
        let names = StemFolder.ordered(Array(estimates.keys))
        let evenSplit = mix.map { $0 / Float(names.count) }
        var scored = Scored()
        for name in names {
            guard let estimate = estimates[name] else { continue }
            guard let reference = SeparationScoring.referenceSignal(for: name, estimated: names, references: references) else {
                scored.problems.append("no reference stem '\(name)' (reference has \(references.names.joined(separator: ", ")))")
                continue
            }
            guard reference.contains(where: { $0 != 0 }) else {
                scored.silent.append(SilentReference(trackId: track, piece: piece, stem: name))
                continue
            }
            let candidates: [(Estimate, [Float])] = [(.separator, estimate), (.mixture, mix), (.evenSplit, evenSplit)]
            var rowsForStem: [Score] = []
            for (kind, signal) in candidates {
                guard let si = SeparationMetrics.siSDR(estimate: signal, reference: reference),
                    let sdr = SeparationMetrics.sdr(estimate: signal, reference: reference)
                else { break }
                rowsForStem.append(
                    Score(
                        trackId: track, source: source, piece: piece, producer: producer, stem: name, estimate: kind,
                        siSDR: si, sdr: sdr))
            }
            guard rowsForStem.count == candidates.count else {
                scored.problems.append("stem '\(name)': undefined score (non-finite samples)")
                continue
            }
            scored.scores += rowsForStem
        }
        return .success(scored)
    }

    private static func sum(_ signals: [[Float]]) -> [Float] {
        guard var total = signals.first else { return [] }
        for signal in signals.dropFirst() {
            for i in total.indices { total[i] += signal[i] }
        }
        return total
    }

    /// The summary as a plain-text table (dB, two decimals), with an "average" line per producer ×
    /// estimate (the mean of the stem means, as SEPARATION.md averages), followed by what was skipped.
    public static func render(_ report: Report) -> String {
        let pairs = Set(report.scores.map { "\($0.trackId)|\($0.stem)" }).count
        var lines = [
            "separation scores against \(report.reference): \(report.tracksScored) tracks, \(pairs) track-stem pairs",
            "SI-SDR and SDR in dB (mean / median); all-zero references skipped; "
                + "'other' reference = piano + other for separators without a piano stem",
            "",
        ]
        var table = [["separator", "estimate", "stem", "n", "SI-SDR mean", "median", "SDR mean", "median"]]
        let groups = Dictionary(grouping: report.summary) { "\($0.producer)|\($0.estimate.rawValue)" }
        for row in report.summary {
            table.append([
                row.producer, row.estimate.rawValue, row.stem, String(row.count), decibels(row.meanSISDR),
                decibels(row.medianSISDR), decibels(row.meanSDR), decibels(row.medianSDR),
            ])
            let key = "\(row.producer)|\(row.estimate.rawValue)"
            let group = groups[key] ?? []
            if row == group.last, group.count > 1 {
                table.append([
                    row.producer, row.estimate.rawValue, "average", String(group.map(\.count).reduce(0, +)),
                    decibels(SeparationScoring.mean(group.map(\.meanSISDR))), "",
                    decibels(SeparationScoring.mean(group.map(\.meanSDR))), "",
                ])
            }
        }
        let alignments: [TextTable.Alignment] = table[0].indices.map { $0 < 3 ? .left : .right }
        lines += TextTable(header: table[0], rows: Array(table.dropFirst()), alignments: alignments).lines()
        if !report.silentReferences.isEmpty {
            lines.append("")
            lines.append(
                "skipped \(report.silentReferences.count) all-zero reference stems: "
                    + report.silentReferences.map { "\($0.piece)/\($0.stem)" }.joined(separator: ", "))
        }
        if !report.skipped.isEmpty {
            lines.append("")
            lines.append("skipped \(report.skipped.count):")
            let shown = 20
            for skip in report.skipped.prefix(shown) {
                lines.append("  \(skip.source)\(skip.producer.map { " [\($0)]" } ?? ""): \(skip.reason)")
            }
            if report.skipped.count > shown { lines.append("  … and \(report.skipped.count - shown) more") }
        }
        for warning in report.warnings { lines.append("warning: \(warning)") }
        return lines.joined(separator: "\n")
    }

    private static func decibels(_ value: Double) -> String { String(format: "%.2f", value) }

    /// Every score as CSV: `track_id,source,piece,producer,stem,estimate,si_sdr,sdr` (dB, 6 decimals).
    public static func csv(_ scores: [Score]) -> String {
        CSVWriter.document(
            header: ["track_id", "source", "piece", "producer", "stem", "estimate", "si_sdr", "sdr"],
            rows: scores.map {
                [$0.trackId, $0.source, $0.piece, $0.producer, $0.stem, $0.estimate.rawValue]
                    + [String(format: "%.6f", $0.siSDR), String(format: "%.6f", $0.sdr)]
            })
    }

    /// Writes `csv(scores)` to `url`.
    public static func writeCSV(_ scores: [Score], to url: URL) throws(SeparationEvaluationError) {
        do { try Data(csv(scores).utf8).write(to: url, options: .atomic) } catch {
            throw .io(path: url.path, reason: error.localizedDescription)
        }
    }
}

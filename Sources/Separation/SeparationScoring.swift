import Foundation

/// How separated stems are scored against reference stems (docs/SEPARATION.md): SI-SDR and SDR
/// per (track, separator, stem, estimate) with the mixture and even-split baselines, the
/// reference for each estimated stem, and the mean and median per separator × estimate × stem.
/// `SeparationEvaluation` (Pipeline) finds the stems in a store and applies these rules.
public enum SeparationScoring {
    /// What was compared with the reference stem.
    public enum Estimate: String, Sendable, Codable, CaseIterable, Comparable {
        /// The separator's stem.
        case separator
        /// Baseline: the excerpt mixture as every stem.
        case mixture
        /// Baseline: the excerpt mixture divided by the number of the separator's stems.
        case evenSplit = "even-split"

        public static func < (a: Estimate, b: Estimate) -> Bool {
            allCases.firstIndex(of: a) ?? 0 < allCases.firstIndex(of: b) ?? 0
        }
    }

    /// One scored (track, separator, stem, estimate).
    public struct Score: Sendable, Equatable {
        public var trackId: String
        /// The track's source path that matched the reference folder.
        public var source: String
        /// The reference folder name.
        public var piece: String
        /// The separator's producer id.
        public var producer: String
        public var stem: String
        public var estimate: Estimate
        public var siSDR: Double
        public var sdr: Double

        public init(
            trackId: String, source: String, piece: String, producer: String, stem: String, estimate: Estimate, siSDR: Double,
            sdr: Double
        ) {
            self.trackId = trackId
            self.source = source
            self.piece = piece
            self.producer = producer
            self.stem = stem
            self.estimate = estimate
            self.siSDR = siSDR
            self.sdr = sdr
        }
    }

    /// Mean and median of the scores of one producer × estimate × stem.
    public struct SummaryRow: Sendable, Equatable {
        public var producer: String
        public var estimate: Estimate
        public var stem: String
        public var count: Int
        public var meanSISDR: Double
        public var medianSISDR: Double
        public var meanSDR: Double
        public var medianSDR: Double
    }

    /// The reference for an estimated stem: the stem of the same name, except that a separator
    /// without a `piano` stem is scored on `other` against piano + other (SEPARATION.md), and a
    /// 2-stem separator's `accompaniment` (spleeter) against the sum of every stem but vocals.
    public static func referenceSignal(for name: String, estimated: [String], references: Stems) -> [Float]? {
        if name == "accompaniment", references["accompaniment"] == nil {
            let rest = zip(references.names, references.signals).filter { $0.0 != "vocals" }.map(\.1)
            guard let first = rest.first else { return nil }
            return rest.dropFirst().reduce(first) { sum, signal in zip(sum, signal).map { $0 + $1 } }
        }
        if name == "other", !estimated.contains("piano"), let piano = references["piano"] {
            guard let other = references["other"] else { return piano }
            return zip(piano, other).map { $0 + $1 }
        }
        return references[name]
    }

    /// The reference folder of a track: the parent folder name of one of its source paths, else one
    /// source's file name without extension, whichever first names an existing folder of `reference`.
    /// A source that is itself a stem file (its name is a stem in the candidate folder, and it is
    /// not a mixture) never matches by its parent folder.
    public static func referenceFolder(sources: [String], reference: URL) -> (piece: String, folder: URL, source: String)? {
        func existingFolder(_ name: String) -> URL? {
            guard !name.isEmpty, name != ".", name != "/" else { return nil }
            let url = reference.appendingPathComponent(name, isDirectory: true)
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
                ? url : nil
        }
        let urls = sources.map { URL(fileURLWithPath: $0) }
        let ordered = urls.filter(StemFolder.isMixture) + urls.filter { !StemFolder.isMixture($0) }
        for url in ordered {
            let piece = url.deletingLastPathComponent().lastPathComponent
            guard let folder = existingFolder(piece) else { continue }
            let base = url.deletingPathExtension().lastPathComponent.lowercased()
            if !StemFolder.isMixture(url), let stems = try? StemFolder(directory: folder), stems.names.contains(base) {
                continue
            }
            return (piece, folder, url.path)
        }
        for url in ordered {
            let piece = url.deletingPathExtension().lastPathComponent
            if let folder = existingFolder(piece) { return (piece, folder, url.path) }
        }
        return nil
    }

    /// Mean and median per producer × estimate × stem, in producer, estimate (separator, mixture,
    /// even split) and stem (vocals, drums, bass, piano, other, then alphabetical) order.
    public static func summarize(_ scores: [Score]) -> [SummaryRow] {
        struct Key: Hashable {
            var producer: String
            var estimate: Estimate
            var stem: String
        }
        let groups = Dictionary(grouping: scores) { Key(producer: $0.producer, estimate: $0.estimate, stem: $0.stem) }
        let stemOrder = StemFolder.ordered(Array(Set(scores.map(\.stem))))
        let keys = groups.keys.sorted {
            ($0.producer, $0.estimate, stemOrder.firstIndex(of: $0.stem) ?? 0)
                < ($1.producer, $1.estimate, stemOrder.firstIndex(of: $1.stem) ?? 0)
        }
        return keys.map { key in
            let group = groups[key] ?? []
            let si = group.map(\.siSDR)
            let sdr = group.map(\.sdr)
            return SummaryRow(
                producer: key.producer, estimate: key.estimate, stem: key.stem, count: group.count,
                meanSISDR: mean(si), medianSISDR: median(si), meanSDR: mean(sdr), medianSDR: median(sdr))
        }
    }

    public static func mean(_ values: [Double]) -> Double {
        values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
    }

    /// The middle value; the mean of the two middle values for an even count.
    public static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }

}

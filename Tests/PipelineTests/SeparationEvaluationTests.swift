import AudioIO
import Core
import Foundation
import Separation
import Store
import TestSupport
import Testing

@testable import Pipeline

/// `eval-separation` over a small synthetic store whose stems are written directly (no ingest):
/// a "perfect" 5-stem separator, a perfect 4-stem one (other = piano + other), and tracks without
/// a reference folder.
@Suite struct SeparationEvaluationTests {
    static let names = ["vocals", "drums", "bass", "piano", "other"]
    static let perfect = "perfect@1#000000000001"
    static let fourStem = "fourstem@1#000000000002"
    static let configHash = "cfg-eval"

    let root: URL
    let reference: URL
    let storeURL: URL
    /// Decoded reference stems of each piece, whole.
    let pieces: [String: [String: [Float]]]
    /// The excerpt window of each piece's track.
    let windows: [String: Range<Int>]

    init() throws {
        root = try Fixtures.temporaryDirectory("eval-separation")
        reference = root.appendingPathComponent("reference")
        storeURL = root.appendingPathComponent("store")
        var pieces: [String: [String: [Float]]] = [:]
        for (p, piece) in ["p1", "p2"].enumerated() {
            let dir = reference.appendingPathComponent(piece)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            var stems: [String: [Float]] = [:]
            var mixture = [Float](repeating: 0, count: 66150)
            for (i, name) in Self.names.enumerated() {
                // p2 has no piano: an all-zero file, as the corpus stores absent stems.
                let silent = piece == "p2" && name == "piano"
                let signal = TestAudio.tone(seconds: 3, sampleRate: 22050, seed: 10 * p + i + 1).map { silent ? 0 : $0 * 0.4 }
                let url = dir.appendingPathComponent("\(name).flac")
                try AudioWriter.write(signal, channels: 1, sampleRate: 22050, format: .flac16, to: url.path)
                let decoded = try AudioDecoder.decode(path: url.path).samples
                stems[name] = decoded
                for j in mixture.indices { mixture[j] += decoded[j] }
            }
            try AudioWriter.write(
                mixture, channels: 1, sampleRate: 22050, format: .wavFloat, to: dir.appendingPathComponent("mixture.wav").path)
            pieces[piece] = stems
        }
        self.pieces = pieces
        windows = ["p1": 11025..<55125, "p2": 2000..<42000]

        let store = try Store.open(at: storeURL, create: true)
        let writer = try store.writer()
        let p1 = try #require(pieces["p1"])
        let p2 = try #require(pieces["p2"])
        let w1 = try #require(windows["p1"])
        let w2 = try #require(windows["p2"])
        // p1 is found by its parent folder, p2 by its file name; the other two have no folder (the
        // last one is a stem file of p1, which must not be taken for p1's mixture).
        try writer.commit(
            [
                Self.pending(1, source: "/music/p1/mixture.flac", stems: p1, window: w1),
                Self.pending(2, source: "/elsewhere/p2.wav", stems: p2, window: w2),
                Self.pending(3, source: "/music/unknown/song.wav", stems: p1, window: w1),
                Self.pending(4, source: "/music/p1/vocals.flac", stems: p1, window: w1),
            ], runId: nil)
    }

    /// A track whose stored mix is the sum of the stems in `window`, with stems from the perfect
    /// 5-stem separator and the perfect 4-stem separator.
    /// `recorded` is the window the excerpt row claims (default: the one the arrays were cut from).
    static func pending(
        _ n: Int, source: String, stems: [String: [Float]], window: Range<Int>, recorded: Range<Int>? = nil
    ) throws -> PendingTrack {
        let id = ContentHash.of("eval-track-\(n)")
        let cut = stems.mapValues { Array($0[window]) }
        var mix = [Float](repeating: 0, count: window.count)
        for name in names { for j in mix.indices { mix[j] += cut[name]?[j] ?? 0 } }
        func array(_ kind: String, _ name: String = "", _ producer: String = "", _ signal: [Float]) throws -> PendingArray {
            PendingArray(
                kind: kind, name: name, producer: producer, configHash: configHash,
                record: try ShardRecord.encode(Tensor(floats: signal, shape: [signal.count])))
        }
        var arrays = [try array("mix", "", "", mix)]
        for name in names { arrays.append(try array("stem", name, perfect, cut[name] ?? [])) }
        for name in ["vocals", "drums", "bass"] { arrays.append(try array("stem", name, fourStem, cut[name] ?? [])) }
        let pianoPlusOther = zip(cut["piano"] ?? [], cut["other"] ?? []).map { $0 + $1 }
        arrays.append(try array("stem", "other", fourStem, pianoPlusOther))
        return PendingTrack(
            track: TrackRecord(
                id: id, sourcePath: source, format: "FLAC", durationS: 3, sampleRate: 22050, channels: 1, frames: 66150,
                runId: nil, createdAt: Timestamp.now()),
            source: TrackSourceRecord(path: source, trackId: id, fileSize: 1000, mtime: 1_700_000_000, runId: nil),
            metadata: [], tags: [],
            excerpt: ExcerptRecord(
                trackId: id, configHash: configHash, policy: "offset=0.5", sampleRate: 22050,
                startSample: (recorded ?? window).lowerBound, sampleCount: (recorded ?? window).count, looped: false,
                frameCount: 0),
            arrays: arrays)
    }

    func reference(_ piece: String, _ stem: String) throws -> [Float] {
        let signal = try #require(pieces[piece]?[stem])
        return Array(signal[try #require(windows[piece])])
    }

    func mix(_ piece: String) throws -> [Float] {
        var mix = [Float](repeating: 0, count: try #require(windows[piece]).count)
        for name in Self.names {
            let stem = try reference(piece, name)
            for j in mix.indices { mix[j] += stem[j] }
        }
        return mix
    }

    @Test func perfectSeparatorScoresFarAboveBothBaselines() throws {
        let report = try SeparationEvaluation.run(store: Store.open(at: storeURL), reference: reference)
        #expect(report.tracksScored == 2)
        #expect(report.warnings.isEmpty, "\(report.warnings)")
        #expect(Set(report.scores.map(\.piece)) == ["p1", "p2"])
        #expect(Set(report.scores.filter { $0.piece == "p1" }.map(\.source)) == ["/music/p1/mixture.flac"])
        // Tracks 3 and 4 have no reference folder: reported, not scored.
        let skipped = Set(report.skipped.filter { $0.producer == nil }.map(\.source))
        #expect(skipped == ["/music/unknown/song.wav", "/music/p1/vocals.flac"])
        #expect(report.skipped.allSatisfy { $0.reason == "no reference folder" })

        let perfect = report.summary.filter { $0.producer == Self.perfect }
        for stem in Self.names {
            let separator = try #require(perfect.first { $0.estimate == .separator && $0.stem == stem })
            let mixture = try #require(perfect.first { $0.estimate == .mixture && $0.stem == stem })
            let even = try #require(perfect.first { $0.estimate == .evenSplit && $0.stem == stem })
            #expect(separator.meanSISDR == SeparationMetrics.limit && separator.medianSDR == SeparationMetrics.limit)
            #expect(mixture.meanSISDR < 10 && even.meanSDR < 10 && mixture.meanSDR < 10)
            #expect(separator.meanSISDR - max(mixture.meanSISDR, even.meanSISDR) > 100)
            // p2's piano is all zero: skipped, so piano has one piece and the others two.
            #expect(separator.count == (stem == "piano" ? 1 : 2))
        }
        #expect(
            report.silentReferences.contains(
                SeparationEvaluation.SilentReference(trackId: ContentHash.of("eval-track-2"), piece: "p2", stem: "piano")))
        #expect(report.silentReferences.count == 1)
        // Three estimates for every scored (track, separator, stem): 5 + 4 pairs for p1, 4 + 4 for p2.
        #expect(report.scores.count == 3 * (9 + 8))
    }

    @Test func baselinesAreTheMixtureAndTheMixtureSplitEvenly() throws {
        let report = try SeparationEvaluation.run(store: Store.open(at: storeURL), reference: reference)
        let mix = try mix("p1")
        let vocals = try reference("p1", "vocals")
        func score(_ producer: String, _ estimate: SeparationEvaluation.Estimate) throws -> SeparationEvaluation.Score {
            try #require(
                report.scores.first {
                    $0.piece == "p1" && $0.producer == producer && $0.stem == "vocals" && $0.estimate == estimate
                })
        }
        let mixture = try score(Self.perfect, .mixture)
        #expect(mixture.siSDR == SeparationMetrics.siSDR(estimate: mix, reference: vocals))
        #expect(mixture.sdr == SeparationMetrics.sdr(estimate: mix, reference: vocals))
        // Even split divides by the separator's stem count: 5 for one, 4 for the other.
        let five = try score(Self.perfect, .evenSplit)
        let four = try score(Self.fourStem, .evenSplit)
        #expect(five.sdr == SeparationMetrics.sdr(estimate: mix.map { $0 / 5 }, reference: vocals))
        #expect(four.sdr == SeparationMetrics.sdr(estimate: mix.map { $0 / 4 }, reference: vocals))
        #expect(five.sdr != four.sdr)
        // SI-SDR cannot tell a scaled mixture from the mixture.
        #expect(abs(five.siSDR - mixture.siSDR) < 1e-6)  // mix / 5 rounds in float32
    }

    @Test func otherIsScoredAgainstPianoPlusOtherWhenTheSeparatorHasNoPiano() throws {
        let report = try SeparationEvaluation.run(store: Store.open(at: storeURL), reference: reference, separator: "fourstem")
        #expect(Set(report.scores.map(\.producer)) == [Self.fourStem])
        #expect(!report.scores.contains { $0.stem == "piano" })
        let other = report.scores.filter { $0.stem == "other" && $0.estimate == .separator }
        #expect(other.count == 2)
        // The 4-stem "other" is piano + other: perfect only against that combined reference.
        #expect(other.allSatisfy { $0.siSDR == SeparationMetrics.limit })
        let mix = try mix("p1")
        let combined = zip(try reference("p1", "piano"), try reference("p1", "other")).map { $0 + $1 }
        let baseline = try #require(
            report.scores.first { $0.piece == "p1" && $0.stem == "other" && $0.estimate == .mixture })
        #expect(baseline.sdr == SeparationMetrics.sdr(estimate: mix, reference: combined))
        #expect(baseline.sdr != SeparationMetrics.sdr(estimate: mix, reference: try reference("p1", "other")))
        // With a piano stem, "other" is the other stem alone.
        let five = try SeparationEvaluation.run(store: Store.open(at: storeURL), reference: reference, separator: Self.perfect)
        let fiveBaseline = try #require(five.scores.first { $0.piece == "p1" && $0.stem == "other" && $0.estimate == .mixture })
        #expect(fiveBaseline.sdr == SeparationMetrics.sdr(estimate: mix, reference: try reference("p1", "other")))
    }

    @Test func summaryTableAndCSV() throws {
        let report = try SeparationEvaluation.run(store: Store.open(at: storeURL), reference: reference)
        let text = SeparationEvaluation.render(report)
        for needle in [Self.perfect, Self.fourStem, "even-split", "mixture", "average", "SI-SDR mean", "200.00", "p2/piano"] {
            #expect(text.contains(needle), "missing '\(needle)' in\n\(text)")
        }
        #expect(text.contains("/music/unknown/song.wav: no reference folder"))
        // Summary order: producer, then separator / mixture / even-split, then stems in the usual order.
        let perfectRows = report.summary.filter { $0.producer == Self.perfect && $0.estimate == .separator }
        #expect(perfectRows.map(\.stem) == Self.names)
        #expect(report.summary.first?.producer == Self.fourStem && report.summary.first?.estimate == .separator)

        let url = root.appendingPathComponent("scores.csv")
        try SeparationEvaluation.writeCSV(report.scores, to: url)
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
        #expect(lines.first == "track_id,source,piece,producer,stem,estimate,si_sdr,sdr")
        #expect(lines.count == report.scores.count + 1)
        let vocals = try #require(lines.first { $0.contains(",p1,\(Self.perfect),vocals,separator,") })
        #expect(vocals.hasSuffix(",200.000000,200.000000"))
        #expect(SeparationEvaluation.csv([]).split(separator: "\n").count == 1)
    }

    @Test func clearErrorsWhenNothingCanBeScored() throws {
        let store = try Store.open(at: storeURL)
        #expect {
            try SeparationEvaluation.run(store: store, reference: reference, separator: "bandsplit")
        } throws: { error in
            guard case let .noStems(_, separator, available) = error as? SeparationEvaluationError else { return false }
            return separator == "bandsplit" && available == [Self.fourStem, Self.perfect]
        }
        let empty = root.appendingPathComponent("empty-reference")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        #expect {
            try SeparationEvaluation.run(store: store, reference: empty)
        } throws: { error in
            guard case let .noMatchingReferences(_, tracks, _) = error as? SeparationEvaluationError else { return false }
            return tracks == 4
        }
        #expect(throws: SeparationEvaluationError.missingReference(path: root.appendingPathComponent("nope").path)) {
            try SeparationEvaluation.run(store: store, reference: root.appendingPathComponent("nope"))
        }
        let bare = try Store.open(at: root.appendingPathComponent("bare-store"), create: true)
        #expect(throws: SeparationEvaluationError.noStems(store: bare.root.path, separator: nil, available: [])) {
            try SeparationEvaluation.run(store: bare, reference: reference)
        }
    }

    @Test func wrongWindowIsWarnedAndAnUnloadableReferenceIsSkipped() throws {
        let store = try Store.open(at: root.appendingPathComponent("shifted-store"), create: true)
        let p1 = try #require(pieces["p1"])
        // Arrays cut 0.25 s later than the excerpt row says: scores are computed, with a warning.
        // A window past the end of the reference stems cannot be cut: that track is skipped.
        try store.writer().commit(
            [
                Self.pending(5, source: "/m/p1/mixture.flac", stems: p1, window: 16537..<60637, recorded: 11025..<55125),
                Self.pending(6, source: "/m/p2/mixture.flac", stems: p1, window: 50000..<60000, recorded: 60000..<70000),
            ], runId: nil)
        let report = try SeparationEvaluation.run(store: store, reference: reference)
        #expect(report.tracksScored == 1)
        #expect(report.warnings.count == 1 && report.warnings.first?.hasPrefix("/m/p1/mixture.flac: stored mix vs sum") == true)
        let skip = try #require(report.skipped.first)
        #expect(report.skipped.count == 1 && skip.source == "/m/p2/mixture.flac" && skip.producer == nil)
        #expect(skip.reason.contains("reference") && skip.reason.contains("samples"), "\(skip.reason)")
    }

    @Test func referenceFolderByParentOrFileName() throws {
        let match = SeparationEvaluation.referenceFolder(
            sources: ["/x/song/p2.flac", "/y/p1/mixture.wav"], reference: reference)
        // A mixture's parent folder wins over another source's file name.
        #expect(match?.piece == "p1" && match?.source == "/y/p1/mixture.wav")
        #expect(SeparationEvaluation.referenceFolder(sources: ["/x/song/p2.flac"], reference: reference)?.piece == "p2")
        #expect(SeparationEvaluation.referenceFolder(sources: ["/x/p1/drums.wav"], reference: reference) == nil)
        #expect(SeparationEvaluation.referenceFolder(sources: ["/x/p1/take-2.wav"], reference: reference)?.piece == "p1")
    }

    @Test func commandPrintsTheSummaryAndWritesCSV() throws {
        let csv = root.appendingPathComponent("out.csv")
        let ok = try BuiltTool.run([
            "eval-separation", "--store", storeURL.path, "--reference", reference.path, "--csv", csv.path, "--progress", "none",
        ])
        #expect(ok.status == 0, "\(ok.output)")
        #expect(ok.output.contains(Self.perfect) && ok.output.contains("even-split"))
        #expect(FileManager.default.fileExists(atPath: csv.path))
        let bad = try BuiltTool.run([
            "eval-separation", "--store", storeURL.path, "--reference", reference.path, "--separator", "demucs",
            "--progress", "none",
        ])
        #expect(bad.status != 0)
        #expect(bad.output.contains("no stems from a separator matching 'demucs'"), "\(bad.output)")
    }
}

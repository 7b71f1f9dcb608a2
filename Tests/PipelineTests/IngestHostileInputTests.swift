import AudioIO
import Foundation
import GRDB
import Store
import TestSupport
import Testing

@testable import Pipeline

#if canImport(Glibc)
    import Glibc
#endif

/// Ingest over a corpus of hostile and irregular files: each refusal names the file and the
/// reason, irregular but sound files are stored with a warning, file names that are not UTF-8
/// are read and recorded byte for byte, and the good tracks are all stored.
@Suite struct IngestHostileInputTests {
    let root: URL
    let corpus: URL
    let storeURL: URL
    /// A file name with bytes that are not UTF-8.
    let invalidName: [UInt8] = Array("caf".utf8) + [0xE9, 0xFF] + Array(".wav".utf8)

    init() throws {
        root = try Fixtures.temporaryDirectory("hostile-ingest")
        corpus = root.appendingPathComponent("corpus")
        storeURL = root.appendingPathComponent("store")
        try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
        try TestAudio.writeTone(corpus.appendingPathComponent("good.wav"), seconds: 5, seed: 201)
        try TestAudio.writeTone(corpus.appendingPathComponent("long.wav"), seconds: 8, seed: 202)
        try TestAudio.writeTone(corpus.appendingPathComponent("100%41 percent.wav"), seconds: 4, seed: 203)
        try TestAudio.pcm16Wav((0..<400_000).map { Int16($0 % 2000 - 1000) }, sampleRate: 1).write(
            to: corpus.appendingPathComponent("one-hertz.wav"))
        try Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7919 &+ 13) }).write(
            to: corpus.appendingPathComponent("random.mp3"))
        try AudioWriter.write(
            [Float](repeating: 0, count: 44100), channels: 1, sampleRate: 22050, format: .oggVorbis,
            to: corpus.appendingPathComponent("silent.ogg").path)
        let estimate = corpus.appendingPathComponent("estimate.ogg")
        try TestAudio.writeTone(estimate, seconds: 3, seed: 204, format: .oggVorbis)
        try OggSurgery.extendLastGranule(of: estimate, by: 300)
        // A file whose name is not UTF-8: written through the raw bytes.
        let tone = root.appendingPathComponent("tone.wav")
        try TestAudio.writeTone(tone, seconds: 4, seed: 205)
        let bytes = try Data(contentsOf: tone)
        let path = FileSystemPath(corpus.path).appending(invalidName)
        let fd = path.withCString { open($0, O_WRONLY | O_CREAT | O_TRUNC, 0o644) }
        #expect(fd >= 0)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, bytes.count) }
        close(fd)
    }

    func ingest() async throws -> IngestSummary {
        var options = IngestOptions(corpus: corpus, store: storeURL)
        options.maxDuration = 6
        options.workers = 2
        return try await IngestStage(options: options).run(progressMode: .silent)
    }

    @Test func everyRefusalIsNamedAndTheRestIsStored() async throws {
        let summary = try await ingest()
        let reasons = Dictionary(
            uniqueKeysWithValues: summary.failures.map { (URL(fileURLWithPath: $0.path).lastPathComponent, $0.reason) })
        #expect(summary.found == 8)
        #expect(summary.counts.succeeded == 4, "good, 100%41, estimate.ogg and the non-UTF-8 name: \(summary.failures)")
        #expect(reasons.count == 4)
        #expect(reasons["one-hertz.wav"]?.contains("1 Hz") == true, "\(reasons)")
        #expect(reasons["long.wav"] == "too long: 8 s exceeds the 6 s limit (ingest --max-duration)")
        #expect(reasons["random.mp3"]?.contains("not an audio format libsndfile recognises") == true, "\(reasons)")
        #expect(reasons["silent.ogg"] == "silent: every sample is zero", "\(reasons)")

        // The Ogg whose header overestimates its length is stored, and the warning recorded.
        #expect(summary.warnings.count == 1 && summary.warnings.first?.path.hasSuffix("/estimate.ogg") == true)
        let store = try Store.open(at: storeURL)
        let warnings = try store.catalog.read { db in try RunWarningRecord.fetchAll(db) }
        #expect(warnings.count == 1 && warnings.first?.runId == summary.runId)
        #expect(warnings.first?.message.contains("short") == true && warnings.first?.path.hasSuffix("/estimate.ogg") == true)

        // Paths are stored faithfully: the non-UTF-8 one by its reversible text form.
        let paths = try store.catalog.read { db in try String.fetchAll(db, sql: "SELECT path FROM track_sources ORDER BY path") }
        let expected = FileSystemPath(corpus.standardizedFileURL.path).appending(invalidName)
        #expect(paths.contains(expected.text), "\(paths)")
        #expect(expected.text.hasSuffix("/caf%E9%FF.wav"))
        #expect(paths.contains { $0.hasSuffix("/100%2541 percent.wav") }, "a literal %41 is escaped so the text stays reversible")
        for path in paths {
            var status = stat()
            #expect(FileSystemPath(text: path).withCString { stat($0, &status) } == 0, "\(path) decodes to an existing file")
        }
        #expect(FileSystemPath(text: expected.text).bytes == expected.bytes)

        // A re-run recognises every stored file, the non-UTF-8 one included.
        let again = try await ingest()
        #expect(again.counts.skipped == 4 && again.counts.succeeded == 0 && again.counts.failed == 4)
    }

    @Test func theCommandLineTakesMaxDurationWithUnits() throws {
        let run = try BuiltTool.run([
            "ingest", corpus.path, "--store", storeURL.path, "--max-duration", "0.1min", "--separator", "none", "--progress",
            "none",
        ])
        #expect(run.status == 2, "\(run.output)")
        #expect(run.output.contains("long.wav: too long: 8 s exceeds the 6 s limit"), "\(run.output)")
        #expect(run.output.contains("warnings    1"), "\(run.output)")
        let bad = try BuiltTool.run(["ingest", corpus.path, "--store", storeURL.path, "--max-duration", "soon"])
        #expect(bad.status != 0 && bad.output.contains("max-duration"), "\(bad.output)")
    }

    /// Resumes must recognise files stored by earlier versions, which took the modification time
    /// from Foundation: the stat-based value is the same number.
    @Test func modificationTimesMatchFoundationsToTheBit() throws {
        let url = corpus.appendingPathComponent("good.wav")
        for stamp in [1_700_000_000.123456789, 1_234_567_890.5, 1_600_000_000] {
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: stamp)], ofItemAtPath: url.path)
            let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
            let foundation = try #require(attributes[.modificationDate] as? Date).timeIntervalSince1970
            #expect(try SourceFile(FileSystemPath(url.path)).mtime == foundation)
        }
    }
}

/// `FileSystemPath`'s text form: ordinary paths unchanged, everything else reversible.
@Suite struct FileSystemPathTests {
    @Test func ordinaryPathsAreTheirOwnText() {
        for path in ["/music/a b.wav", "/música/Sigur Rós — Hoppípolla.flac", "/x/100%.wav", "/x/%zz", "/x/50% off.mp3"] {
            #expect(FileSystemPath(path).text == path)
        }
    }

    @Test func invalidBytesAndPercentHexAreEscaped() {
        #expect(FileSystemPath(bytes: [0x2F, 0xFF]).text == "/%FF")
        #expect(FileSystemPath("/a%41").text == "/a%2541")
        #expect(FileSystemPath(bytes: Array("/".utf8) + [0xC0, 0xAF]).text == "/%C0%AF", "overlong forms are invalid")
        #expect(FileSystemPath(bytes: [0xED, 0xA0, 0x80]).text == "%ED%A0%80", "surrogates are invalid")
    }

    @Test func theTextFormIsReversibleForAnyBytes() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return state
        }
        let alphabet: [UInt8] = Array("%aF0/ .9".utf8) + [0xC3, 0xA9, 0xFF, 0x80, 0xE2, 0x82, 0xAC, 0xF0, 0x9F]
        for _ in 0..<5000 {
            let count = Int(next() % 12)
            let bytes = (0..<count).map { _ in alphabet[Int(next() % UInt64(alphabet.count))] }
            let path = FileSystemPath(bytes: bytes)
            #expect(FileSystemPath(text: path.text) == path, "\(bytes) → \(path.text)")
            #expect(path.text.utf8.allSatisfy { $0 != 0 })
        }
    }
}

import AudioIO
import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Audio files are hostile input: absurd headers, lying lengths, FIFOs, random bytes and
/// non-UTF-8 names each get an error saying what the file is and why it is refused — or, for a
/// harmless irregularity, a warning — and never a crash or an unbounded allocation.
@Suite struct HostileAudioTests {
    let dir: URL
    init() throws { dir = try Fixtures.temporaryDirectory("hostile-audio") }

    @Test func aOneHertzWavIsRefusedBeforeAnythingIsResampled() throws {
        // 800 KB of samples at 1 Hz: resampled to 22 050 Hz this asked for 17.6 GB and aborted.
        let url = dir.appendingPathComponent("one-hertz.wav")
        try TestAudio.pcm16Wav([Int16](repeating: 1000, count: 400_000), sampleRate: 1).write(to: url)
        let error = #expect(throws: AudioError.self) { _ = try AudioDecoder.decode(path: url.path) }
        guard case .outOfLimits(let path, let reason)? = error else {
            Issue.record("expected outOfLimits, got \(String(describing: error))")
            return
        }
        #expect(path == url.path && reason.contains("1 Hz") && reason.contains("1000"))
    }

    @Test(arguments: [(999, false), (1000, true), (384_000, true), (384_001, false)])
    func sampleRatesOutsideTheLimitsAreRefused(rate: Int, accepted: Bool) throws {
        let url = dir.appendingPathComponent("rate-\(rate).wav")
        try TestAudio.pcm16Wav([1, 2, 3, 4, 5, 6, 7, 8], sampleRate: rate).write(to: url)
        if accepted {
            #expect(try AudioDecoder.decode(path: url.path).sampleRate == rate)
        } else {
            #expect(throws: AudioError.self) { _ = try AudioDecoder.decode(path: url.path) }
        }
    }

    @Test func tracksLongerThanTheLimitAreRefusedWithBothDurations() throws {
        let url = dir.appendingPathComponent("three-seconds.wav")
        try TestAudio.writeTone(url, seconds: 3, sampleRate: 8000)
        let error = #expect(throws: AudioError.self) {
            _ = try AudioDecoder.decode(path: url.path, limits: DecodeLimits(maxDuration: 2))
        }
        #expect(error == .tooLong(path: url.path, seconds: 3, limit: 2))
        #expect(error?.reason == "too long: 3 s exceeds the 2 s limit (ingest --max-duration)")
        #expect(try AudioDecoder.decode(path: url.path, limits: DecodeLimits(maxDuration: 3)).frameCount == 24000)
    }

    /// libsndfile 1.2.0 never returns from `sf_open` on a WAV whose LIST subchunk claims
    /// 0xFFFFFFF7 bytes (found by fuzzing); the decoder refuses it before libsndfile sees it.
    @Test func aWavWhoseListSubchunkOverrunsItsListIsRefusedNotHung() throws {
        let url = dir.appendingPathComponent("list-overrun.wav")
        var bytes = Array(TestAudio.pcm16Wav([], sampleRate: 8000).prefix(36))  // RIFF, WAVE, fmt chunk
        bytes += Array("LIST".utf8) + [12, 0, 0, 0] + Array("INFO".utf8) + Array("IXYZ".utf8) + [0xF7, 0xFF, 0xFF, 0xFF]
        bytes.replaceSubrange(4..<8, with: [UInt8(bytes.count - 8), 0, 0, 0])
        try Data(bytes).write(to: url)
        let error = #expect(throws: AudioError.self) { _ = try AudioDecoder.decode(path: url.path) }
        #expect(error?.reason.contains("malformed WAV: LIST subchunk 'IXYZ'") == true, "\(String(describing: error))")
        // A WAV with a sound INFO list (libsndfile writes one for tags) still decodes.
        let tagged = dir.appendingPathComponent("tagged.wav")
        try TestAudio.writeTone(tagged, seconds: 0.2, sampleRate: 8000, tags: ["title": "A title", "artist": "Someone"])
        let decoded = try AudioDecoder.decode(path: tagged.path)
        #expect(decoded.frameCount == 1600 && decoded.tags["title"] == "A title")
    }

    @Test func randomBytesWithAnMP3ExtensionSayWhatTheFileIs() throws {
        let url = dir.appendingPathComponent("random.mp3")
        var rng = SystemRandomNumberGenerator()
        try Data((0..<4096).map { _ in UInt8.random(in: 0...255, using: &rng) }).write(to: url)
        let error = #expect(throws: AudioError.self) { _ = try AudioDecoder.decode(path: url.path) }
        let text = error?.description ?? ""
        #expect(text.contains("random.mp3") && text.contains("not an audio format libsndfile recognises"))
        #expect(text.contains("4096 bytes"))
        #expect(!text.contains("does not exist") && !text.contains("possibly a pipe"), "\(text)")
    }

    @Test func aFIFOIsNamedAsOneAndNeverOpened() throws {
        let url = dir.appendingPathComponent("pipe.wav")
        #expect(mkfifo(url.path, 0o644) == 0)
        // Opening a FIFO for reading blocks until a writer comes; the decoder must not open it.
        #expect(throws: AudioError.notARegularFile(path: url.path, kind: "a FIFO (named pipe)")) {
            _ = try AudioDecoder.decode(path: url.path)
        }
    }

    @Test func anOggWhoseHeaderEstimatesAFewFramesMoreIsAcceptedWithAWarning() throws {
        let url = dir.appendingPathComponent("estimate.ogg")
        try TestAudio.writeTone(url, seconds: 2, sampleRate: 22050, format: .oggVorbis)
        let clean = try AudioDecoder.decode(path: url.path)
        #expect(clean.warnings.isEmpty)
        // The last page now claims 300 frames more: libvorbis no longer trims the final block, so
        // the file decodes to its whole last block and falls a little short of the estimate.
        try OggSurgery.extendLastGranule(of: url, by: 300)
        let decoded = try AudioDecoder.decode(path: url.path)
        #expect(decoded.frameCount > clean.frameCount && decoded.frameCount < clean.frameCount + 300)
        let prefix = Array(decoded.samples.prefix(clean.samples.count)) == clean.samples
        #expect(prefix, "the frames before the end are the clean file's")
        #expect(decoded.warnings.count == 1)
        let shortfall = clean.frameCount + 300 - decoded.frameCount
        #expect(decoded.warnings.first?.contains("(\(shortfall) short") == true, "\(decoded.warnings)")
    }

    @Test func anOggFarShorterThanItsHeaderIsTruncated() throws {
        let url = dir.appendingPathComponent("cut.ogg")
        try TestAudio.writeTone(url, seconds: 2, sampleRate: 22050, format: .oggVorbis)
        try OggSurgery.extendLastGranule(of: url, by: Int64(AudioDecoder.oggShortfallTolerance) + 1000)
        let error = #expect(throws: AudioError.self) { _ = try AudioDecoder.decode(path: url.path) }
        guard case .truncated? = error else {
            Issue.record("expected truncated, got \(String(describing: error))")
            return
        }
    }

    /// Silence decodes as silence (ingest then refuses it as "silent", see the Pipeline tests);
    /// when its length disagrees with the header it is "silent" too, never "truncated".
    @Test(arguments: [AudioWriter.Format.oggVorbis, .wav16, .flac16])
    func silenceIsNeverReportedAsTruncation(format: AudioWriter.Format) throws {
        let url = dir.appendingPathComponent("silent-\(UUID().uuidString).audio")
        try AudioWriter.write([Float](repeating: 0, count: 44100), channels: 1, sampleRate: 22050, format: format, to: url.path)
        do {
            let decoded = try AudioDecoder.decode(path: url.path)
            #expect(decoded.samples.allSatisfy { $0 == 0 } && decoded.frameCount > 0)
        } catch {
            #expect(error == .silent(path: url.path), "\(format): \(error)")
        }
    }

    @Test func aFileWhoseNameIsNotUTF8DecodesByItsBytes() throws {
        let name: [UInt8] = Array("caf".utf8) + [0xE9, 0xFF] + Array(" 100%41.wav".utf8)
        let path = FileSystemPath(dir.path).appending(name)
        let source = dir.appendingPathComponent("tone.wav")
        try TestAudio.writeTone(source, seconds: 0.5, sampleRate: 8000)
        let bytes = try Data(contentsOf: source)
        let fd = path.withCString { open($0, O_WRONLY | O_CREAT | O_TRUNC, 0o644) }
        #expect(fd >= 0)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, bytes.count) }
        close(fd)
        #expect(path.text.hasSuffix("/caf%E9%FF 100%2541.wav"))
        #expect(FileSystemPath(text: path.text) == path)
        let decoded = try AudioDecoder.decode(path)
        #expect(decoded.frameCount == 4000)
        // The repaired Swift string names another file.
        #expect(throws: AudioError.self) { _ = try AudioDecoder.decode(path: String(decoding: path.bytes, as: UTF8.self)) }
    }
}

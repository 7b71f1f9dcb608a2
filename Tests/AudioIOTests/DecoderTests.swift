import AudioIO
import Foundation
import TestSupport
import Testing

/// Decoding through libsndfile: formats, metadata, and every kind of bad input named with its file.
@Suite struct DecoderTests {
    let dir: URL
    init() throws { dir = try Fixtures.temporaryDirectory("decoder") }

    @Test(arguments: [AudioWriter.Format.wav16, .wavFloat, .flac16, .oggVorbis])
    func decodesWrittenFormatsWithRateChannelsAndLength(format: AudioWriter.Format) throws {
        let url = dir.appendingPathComponent("tone-\(UUID().uuidString).audio")
        try TestAudio.writeTone(url, seconds: 1.5, sampleRate: 44100, channels: 2, seed: 3, format: format)
        let audio = try AudioDecoder.decode(path: url.path)
        #expect(audio.channelCount == 2)
        #expect(audio.sampleRate == 44100)
        #expect(audio.frameCount == 66150)
        let expected = TestAudio.tone(seconds: 1.5, sampleRate: 44100, channels: 2, seed: 3)
        let worst = worstDifference(audio.samples, expected)
        #expect(worst.error < (format == .oggVorbis ? 0.05 : 1e-4), "worst sample \(worst.index)")
    }

    @Test func sixteenBitSamplesDecodeAsValueOver32768() throws {
        let url = dir.appendingPathComponent("exact.wav")
        let ints: [Int16] = [16384, -8192, 1, -32768, 32767]
        try TestAudio.pcm16Wav(ints, sampleRate: 8000).write(to: url)
        #expect(try AudioDecoder.decode(path: url.path).samples == ints.map { Float($0) / 32768 })
    }

    @Test func wavWithAnUnsupportedCodecIsUndecodable() throws {
        let url = dir.appendingPathComponent("exotic.wav")
        var data = TestAudio.pcm16Wav([1, 2, 3, 4], sampleRate: 8000)
        data[20] = 0x34  // WAVE format tag 0x1234: no such codec
        data[21] = 0x12
        try data.write(to: url)
        expectFailure(url) { if case .undecodable = $0 { true } else { false } }
    }

    @Test func fileTagsAreRead() throws {
        let url = dir.appendingPathComponent("tagged.flac")
        try TestAudio.writeTone(url, seconds: 0.5, format: .flac16, tags: ["title": "Test Title", "genre": "Hip-Hop"])
        let tags = try AudioDecoder.decode(path: url.path).tags
        #expect(tags["title"] == "Test Title")
        #expect(tags["genre"] == "Hip-Hop")
    }

    @Test func zeroByteFileIsEmpty() throws {
        let url = dir.appendingPathComponent("empty.wav")
        FileManager.default.createFile(atPath: url.path, contents: Data())
        expectFailure(url) { $0 == .empty(path: url.path) }
    }

    @Test func textWithAudioExtensionIsUndecodable() throws {
        let url = dir.appendingPathComponent("notes.mp3")
        try Data("this is not audio at all, just a text file\n".utf8).write(to: url)
        expectFailure(url) { if case .undecodable = $0 { true } else { false } }
    }

    @Test func truncatedFlacIsReported() throws {
        let url = dir.appendingPathComponent("cut.flac")
        try TestAudio.writeTone(url, seconds: 3, format: .flac16)
        let data = try Data(contentsOf: url)
        try data.prefix(data.count / 2).write(to: url)
        expectFailure(url) { if case .truncated = $0 { true } else if case .undecodable = $0 { true } else { false } }
    }

    @Test func nanSamplesAreRejectedWithTheirPosition() throws {
        let url = dir.appendingPathComponent("nan.wav")
        var x = TestAudio.tone(seconds: 0.1, sampleRate: 8000)
        x[100] = .nan
        try AudioWriter.write(x, channels: 1, sampleRate: 8000, format: .wavFloat, to: url.path)
        expectFailure(url) { $0 == .nonFinite(path: url.path, firstIndex: 100) }
    }

    @Test func directoryWithAudioExtensionIsNamedADirectory() throws {
        let url = dir.appendingPathComponent("folder.ogg")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        expectFailure(url) { $0 == .notARegularFile(path: url.path, kind: "a directory") }
    }

    private func expectFailure(_ url: URL, sourceLocation: SourceLocation = #_sourceLocation, _ matches: (AudioError) -> Bool) {
        do {
            _ = try AudioDecoder.decode(path: url.path)
            Issue.record("\(url.lastPathComponent) decoded without error", sourceLocation: sourceLocation)
        } catch {
            #expect(matches(error), "unexpected error \(error)", sourceLocation: sourceLocation)
            #expect(error.path == url.path, sourceLocation: sourceLocation)
            #expect(error.description.contains(url.lastPathComponent), sourceLocation: sourceLocation)
        }
    }
}

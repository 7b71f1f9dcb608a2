import AudioIO
import DSP
import Foundation
import TestSupport
import Testing

@testable import Separation

/// Stem folders in both layouts (MUSDB18-HQ and the maintainers' corpus), generated on the fly.
@Suite struct StemFolderTests {
    let root: URL

    init() throws { root = try Fixtures.temporaryDirectory("stemfolder") }

    /// Writes one tone per stem (and, with `mixture`, their sum as `mixture.<ext>`) into `folder`.
    /// Returns the written stem signals (interleaved) by name.
    @discardableResult
    func writeFolder(
        _ folder: String, stems: [String], seconds: Double = 2, sampleRate: Int = 22050, channels: Int = 1,
        format: AudioWriter.Format, ext: String, mixture: Bool = true
    ) throws -> (url: URL, signals: [String: [Float]]) {
        let dir = root.appendingPathComponent(folder)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var signals: [String: [Float]] = [:]
        var sum: [Float]?
        for (i, name) in stems.enumerated() {
            let signal = TestAudio.tone(seconds: seconds, sampleRate: sampleRate, channels: channels, seed: i + 1).map {
                $0 * 0.3
            }
            try AudioWriter.write(
                signal, channels: channels, sampleRate: sampleRate, format: format,
                to: dir.appendingPathComponent("\(name).\(ext)").path)
            signals[name] = signal
            sum = sum.map { zip($0, signal).map { $0 + $1 } } ?? signal
        }
        if mixture, let sum {
            try AudioWriter.write(
                sum, channels: channels, sampleRate: sampleRate, format: .wavFloat,
                to: dir.appendingPathComponent("mixture.\(ext)").path)
        }
        return (dir, signals)
    }

    @Test func musdbLayoutStereo44kIsDownmixedAndResampled() throws {
        let names = ["vocals", "drums", "bass", "other"]
        let (dir, _) = try writeFolder(
            "Artist - Song", stems: names, sampleRate: 44100, channels: 2, format: .wavFloat, ext: "wav")
        let folder = try StemFolder(mixture: dir.appendingPathComponent("mixture.wav"))
        #expect(folder.names == names)
        let stems = try folder.load(sampleRate: 22050, excerpt: nil)
        #expect(stems.names == names)
        for name in names {
            // Independently: decode, mean of the two channels, soxr HQ to 22 050 Hz.
            let decoded = try AudioDecoder.decode(path: dir.appendingPathComponent("\(name).wav").path)
            #expect(decoded.channelCount == 2 && decoded.sampleRate == 44100)
            var mono = [Float](repeating: 0, count: decoded.frameCount)
            for i in mono.indices {
                let left: Float = decoded.samples[2 * i]
                let right: Float = decoded.samples[2 * i + 1]
                mono[i] = (left + right) / 2
            }
            let expected = try Resampler(quality: .high).resample(mono, from: 44100, to: 22050)
            let signal = try #require(stems[name])
            #expect(signal.count == 44100)  // 2 s at 22 050 Hz
            #expect(signal == expected)
        }
    }

    @Test func corpusLayoutFiveFlacStemsCutToTheExcerpt() throws {
        let names = ["vocals", "drums", "bass", "piano", "other"]
        // Written in another order on disk: the folder lists them in the conventional order.
        let (dir, _) = try writeFolder("hh01", stems: names.reversed(), format: .flac16, ext: "flac")
        try Data("notes".utf8).write(to: dir.appendingPathComponent("README.txt"))
        try Data("hidden".utf8).write(to: dir.appendingPathComponent(".vocals.flac"))
        let folder = try StemFolder(mixture: dir.appendingPathComponent("mixture.flac"), expecting: names)
        #expect(folder.names == names)
        let excerpt = Excerpt(policy: .offset(seconds: 0.5), startSample: 11025, sampleCount: 22050, looped: false)
        let stems = try folder.load(sampleRate: 22050, excerpt: excerpt)
        #expect(stems.names == names)
        for name in names {
            let decoded = try AudioDecoder.decode(path: dir.appendingPathComponent("\(name).flac").path)
            #expect(stems[name] == Array(decoded.samples[11025..<33075]))
        }
        // By directory, the same stems (the mixture is never a stem).
        #expect(try StemFolder(directory: dir).names == names)
    }

    @Test func stemNamesAreLowerCasedAndExtrasFollowAlphabetically() throws {
        let dir = root.appendingPathComponent("mixed-case")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (i, file) in ["Vocals.WAV", "zither.flac", "Bass.ogg", "accordion.wav", "MIXTURE.wav"].enumerated() {
            let format: AudioWriter.Format = file.hasSuffix("ogg") ? .oggVorbis : file.hasSuffix("flac") ? .flac16 : .wav16
            try TestAudio.writeTone(dir.appendingPathComponent(file), seconds: 1, seed: i + 1, format: format)
        }
        let folder = try StemFolder(mixture: dir.appendingPathComponent("MIXTURE.wav"))
        #expect(folder.names == ["vocals", "bass", "accordion", "zither"])
        #expect(StemFolder.isMixture(dir.appendingPathComponent("MIXTURE.wav")))
        #expect(StemFolder.isMixture(URL(fileURLWithPath: "/x/hh01/mixture.flac")))
        #expect(!StemFolder.isMixture(URL(fileURLWithPath: "/x/mixture/vocals.flac")))
        #expect(!StemFolder.isMixture(URL(fileURLWithPath: "/x/mixtures.wav")))
    }

    @Test func noStemsOrMissingStemsAreErrorsNamingTheMixture() throws {
        let (dir, _) = try writeFolder("lonely", stems: [], format: .wav16, ext: "wav", mixture: false)
        let mixture = dir.appendingPathComponent("mixture.wav")
        try TestAudio.writeTone(mixture, seconds: 1)
        #expect {
            try StemFolder(mixture: mixture)
        } throws: { error in
            guard case let .invalidStems(path, _) = error as? SeparationError else { return false }
            return path == mixture.path
        }
        let (partial, _) = try writeFolder("partial", stems: ["vocals", "drums"], format: .wav16, ext: "wav")
        let partialMixture = partial.appendingPathComponent("mixture.wav")
        #expect {
            try StemFolder(mixture: partialMixture, expecting: ["vocals", "drums", "bass", "other"])
        } throws: { error in
            guard case let .missingStem(path, stem, searched) = error as? SeparationError else { return false }
            return path == partialMixture.path && stem == "bass" && searched.contains("partial/bass.")
        }
        // Two files for one stem name are ambiguous.
        try TestAudio.writeTone(partial.appendingPathComponent("vocals.flac"), seconds: 2, format: .flac16)
        #expect(throws: SeparationError.self) { try StemFolder(mixture: partialMixture) }
        // A folder that does not exist.
        #expect(throws: SeparationError.self) { try StemFolder(directory: root.appendingPathComponent("nowhere")) }
    }

    @Test func slightlyShortStemIsZeroPaddedButAMuchShorterOneIsALengthMismatch() throws {
        let (dir, signals) = try writeFolder("short", stems: ["vocals", "bass"], format: .wavFloat, ext: "wav")
        let full = try #require(signals["bass"])
        let bass = dir.appendingPathComponent("bass.wav")
        try AudioWriter.write(Array(full.dropLast(3)), channels: 1, sampleRate: 22050, format: .wavFloat, to: bass.path)
        let mixture = dir.appendingPathComponent("mixture.wav")
        let stems = try StemFolder(mixture: mixture).load(sampleRate: 22050, excerpt: nil)
        let loaded = try #require(stems["bass"])
        #expect(loaded.count == full.count)
        #expect(Array(loaded.suffix(3)) == [0, 0, 0] && Array(loaded.prefix(full.count - 3)) == Array(full.dropLast(3)))
        // An excerpt window running 2 samples past the end of every stem is padded too.
        let tail = Excerpt(policy: .start, startSample: full.count - 100, sampleCount: 102, looped: false)
        #expect(try StemFolder(mixture: mixture).load(sampleRate: 22050, excerpt: tail)["vocals"]?.count == 102)

        try AudioWriter.write(Array(full.prefix(30000)), channels: 1, sampleRate: 22050, format: .wavFloat, to: bass.path)
        #expect(throws: SeparationError.lengthMismatch(path: mixture.path, stem: "bass", expected: full.count, actual: 30000)) {
            try StemFolder(mixture: mixture).load(sampleRate: 22050, excerpt: nil)
        }
        let late = Excerpt(policy: .start, startSample: 30000, sampleCount: 10000, looped: false)
        #expect(throws: SeparationError.self) { try StemFolder(mixture: mixture).load(sampleRate: 22050, excerpt: late) }
        // An unreadable stem is reported against the mixture, naming the stem file.
        try Data("not audio".utf8).write(to: bass)
        #expect {
            try StemFolder(mixture: mixture).load(sampleRate: 22050, excerpt: nil)
        } throws: { error in
            guard case let .invalidStems(path, reason) = error as? SeparationError else { return false }
            return path == mixture.path && reason.contains(bass.path)
        }
    }

    @Test func importedStemsSumToTheMixture() async throws {
        let names = ["vocals", "drums", "bass", "piano", "other"]
        let (dir, _) = try writeFolder("piece", stems: names, seconds: 3, format: .wavFloat, ext: "wav")
        let mixture = dir.appendingPathComponent("mixture.wav")
        let decoded = try AudioDecoder.decode(path: mixture.path)
        let excerpt = Excerpt(policy: .middle, startSample: 5000, sampleCount: 40000, looped: false)
        let mix = Array(decoded.samples[excerpt.range])
        let separator = ImportedStemsSeparator()
        #expect(separator.identity.name == "import" && separator.identity.version == "1")
        #expect(separator.identity.id.hasPrefix("import@1#"))
        #expect(ImportedStemsSeparator(expectedStems: ["vocals"]).identity.id != separator.identity.id)
        let stems = try await separator.separate(
            SeparationInput(mix: mix, sampleRate: 22050, sourcePath: mixture.path, trackId: "t1", excerpt: excerpt))
        #expect(stems.names == names)
        var sum = [Float](repeating: 0, count: mix.count)
        for signal in stems.signals { for i in sum.indices { sum[i] += signal[i] } }
        let worst = worstDifference(sum, mix)
        #expect(worst.error < 1e-6, "stems differ from the mixture by \(worst.error) at \(worst.index)")
        #expect(stems.signals.allSatisfy { $0.contains { $0 != 0 } })

        // A mix of another length than the stems' window is an error naming the mixture.
        await #expect(
            throws: SeparationError.lengthMismatch(path: mixture.path, stem: "vocals", expected: 1000, actual: 40000)
        ) {
            try await separator.separate(
                SeparationInput(
                    mix: Array(mix.prefix(1000)), sampleRate: 22050, sourcePath: mixture.path, trackId: "t1", excerpt: excerpt))
        }
        await #expect {
            try await ImportedStemsSeparator(expectedStems: ["vocals", "guitar"]).separate(
                SeparationInput(mix: mix, sampleRate: 22050, sourcePath: mixture.path, trackId: "t1", excerpt: excerpt))
        } throws: { error in
            (error as? SeparationError)?.path == mixture.path
        }
    }
}

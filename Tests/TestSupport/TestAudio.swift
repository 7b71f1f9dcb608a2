import AudioIO
import Foundation

/// Generated audio for tests: deterministic music-like signals written with libsndfile.
public enum TestAudio {
    /// A chord of sines with a little deterministic noise, `seconds` long, never exactly zero at
    /// the edges. `seed` varies the pitches so different seeds give different content hashes.
    public static func tone(seconds: Double, sampleRate: Int, channels: Int = 1, seed: Int = 1) -> [Float] {
        let n = Int(seconds * Double(sampleRate))
        var state = UInt64(truncatingIfNeeded: seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407)
        var out = [Float](repeating: 0, count: n * channels)
        let base = 110.0 * (1.0 + Double(seed % 12) / 12.0)
        for i in 0..<n {
            let t = Double(i) / Double(sampleRate)
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let noise = Double(Int64(bitPattern: state >> 11) % 1000) / 1000.0 * 0.02
            let v =
                0.3 * sin(2 * .pi * base * t) + 0.2 * sin(2 * .pi * base * 1.5 * t) + 0.1 * sin(2 * .pi * base * 4 * t)
                + noise + 0.01
            for c in 0..<channels { out[i * channels + c] = Float(v * (c == 0 ? 1 : 0.8)) }
        }
        return out
    }

    /// Writes a generated tone to `url`.
    public static func writeTone(
        _ url: URL, seconds: Double, sampleRate: Int = 22050, channels: Int = 1, seed: Int = 1,
        format: AudioWriter.Format = .wav16, tags: [String: String] = [:]
    ) throws {
        try AudioWriter.write(
            tone(seconds: seconds, sampleRate: sampleRate, channels: channels, seed: seed),
            channels: channels, sampleRate: sampleRate, format: format, to: url.path, tags: tags)
    }

    /// A canonical 44-byte-header mono 16-bit PCM WAV, written byte by byte (any declared rate,
    /// however absurd, for tests of what a decoder accepts).
    public static func pcm16Wav(_ samples: [Int16], sampleRate: Int) -> Data {
        var d = Data()
        func u32(_ v: Int) { withUnsafeBytes(of: UInt32(truncatingIfNeeded: v).littleEndian) { d.append(contentsOf: $0) } }
        func u16(_ v: Int) { withUnsafeBytes(of: UInt16(truncatingIfNeeded: v).littleEndian) { d.append(contentsOf: $0) } }
        d.append(contentsOf: Array("RIFF".utf8))
        u32(36 + 2 * samples.count)
        d.append(contentsOf: Array("WAVE".utf8))
        d.append(contentsOf: Array("fmt ".utf8))
        u32(16)
        u16(1)
        u16(1)
        u32(sampleRate)
        u32(2 * sampleRate)
        u16(2)
        u16(16)
        d.append(contentsOf: Array("data".utf8))
        u32(2 * samples.count)
        for s in samples { withUnsafeBytes(of: s.littleEndian) { d.append(contentsOf: $0) } }
        return d
    }

    /// A sum of sines of `seconds` at 22 050 Hz, each with amplitude `gain` and starting phase `phase`.
    public static func sines(_ frequencies: [Double], gain: Double, seconds: Double, phase: Double = 0) -> [Float] {
        let rate = 22050.0
        return (0..<Int(seconds * rate)).map { i in
            let t = Double(i) / rate
            return Float(gain * frequencies.reduce(0) { $0 + sin(2 * .pi * $1 * t + phase) })
        }
    }

    /// A piece with exact stems in `folder`: `<stem>.wav` for each stem (float WAV, 22 050 Hz)
    /// and `mixture.wav`, their sum — the layout `ingest --stems-from` imports.
    public static func writePiece(_ folder: URL, stems: [(name: String, signal: [Float])]) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var mixture = [Float](repeating: 0, count: stems.map(\.signal.count).max() ?? 0)
        for (name, signal) in stems {
            for (i, v) in signal.enumerated() { mixture[i] += v }
            try AudioWriter.write(
                signal, channels: 1, sampleRate: 22050, format: .wavFloat, to: folder.appendingPathComponent("\(name).wav").path)
        }
        try AudioWriter.write(
            mixture, channels: 1, sampleRate: 22050, format: .wavFloat, to: folder.appendingPathComponent("mixture.wav").path)
    }
}

/// Byte surgery on Ogg files: the granule position of the last page, which libsndfile reads as
/// the stream's length, moved by some frames (the page CRC recomputed so the file stays valid).
public enum OggSurgery {
    /// Adds `frames` to the last page's granule position of the Ogg file at `url`.
    public static func extendLastGranule(of url: URL, by frames: Int64) throws {
        var bytes = [UInt8](try Data(contentsOf: url))
        var pages: [Int] = []
        var i = 0
        while i + 27 <= bytes.count, bytes[i] == 0x4F, bytes[i + 1] == 0x67, bytes[i + 2] == 0x67, bytes[i + 3] == 0x53 {
            pages.append(i)
            let segments = Int(bytes[i + 26])
            let body = (0..<segments).reduce(0) { $0 + Int(bytes[i + 27 + $1]) }
            i += 27 + segments + body
        }
        guard let last = pages.last, i == bytes.count else { throw OggSurgeryError.notAnOggFile(url.path) }
        let segments = Int(bytes[last + 26])
        let length = 27 + segments + (0..<segments).reduce(0) { $0 + Int(bytes[last + 27 + $1]) }
        var granule = Int64(0)
        for k in 0..<8 { granule |= Int64(bytes[last + 6 + k]) << (8 * Int64(k)) }
        granule += frames
        for k in 0..<8 { bytes[last + 6 + k] = UInt8(truncatingIfNeeded: granule >> (8 * Int64(k))) }
        for k in 0..<4 { bytes[last + 22 + k] = 0 }
        let crc = oggCRC(bytes[last..<(last + length)])
        for k in 0..<4 { bytes[last + 22 + k] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(k))) }
        try Data(bytes).write(to: url)
    }

    /// The Ogg page checksum: CRC-32 with polynomial 0x04C11DB7, initial value 0, no reflection.
    static func oggCRC(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var crc: UInt32 = 0
        for byte in bytes {
            crc ^= UInt32(byte) << 24
            for _ in 0..<8 { crc = crc & 0x8000_0000 != 0 ? (crc << 1) ^ 0x04C1_1DB7 : crc << 1 }
        }
        return crc
    }
}

public enum OggSurgeryError: Error { case notAnOggFile(String) }

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

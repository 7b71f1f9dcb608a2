import AudioIO
import Core
import DSP
import Foundation
import Inference
import Separation

/// `stemtrace separate`: one file's stems as float WAV files, for listening and for checking a
/// separator without a store.
///
/// With `spleeter` the file is separated as the network works — 44.1 kHz (resampled with soxr HQ
/// when the file has another rate), its own two channels (a mono file duplicated) — and the
/// network's own stems are written at that rate and channel count, unchanged: they are what the
/// reference TensorFlow spleeter writes, so its goldens compare with them directly. Ingest adds
/// their difference from the input to one stem; that difference's peak is reported. Any other
/// separator gets the whole file as ingest prepares a track (mono, 22 050 Hz) and writes mono
/// stems at that rate, exactly as they would be stored.
public enum FileSeparation {
    /// What was written.
    public struct Result: Sendable {
        public var files: [URL]
        public var sampleRate: Int
        public var channels: Int
        public var seconds: Double
        /// max |input − Σ stems| (spleeter's own stems do not add up to the input).
        public var residualPeak: Float
        public var inputPeak: Float
    }

    public static func spleeter(audio: URL, model: SpleeterModel, threads: Int, output: URL) throws -> Result {
        let decoded = try AudioDecoder.decode(path: audio.path)
        guard (1...2).contains(decoded.channelCount) else {
            throw PipelineError.invalidOption(
                "\(audio.path): \(decoded.channelCount) channels; spleeter separates mono or stereo files (down-mix it first)")
        }
        let rate = SpleeterParameters.sampleRate
        var channels = decoded.channels()
        if decoded.sampleRate != rate {
            let resampler = Resampler(quality: .high)
            channels = try channels.map { try resampler.resample($0, from: decoded.sampleRate, to: rate, path: audio.path) }
        }
        if channels.count == 1 { channels.append(channels[0]) }
        let stems = try SpleeterSeparator.run(model, channels, threads: threads, path: audio.path)
        let residual = (0..<2).map { c in StemChecks.largestResidual(stems.map { $0[c] }, of: channels[c]) }.max() ?? 0
        let peak = channels.map { $0.reduce(0) { max($0, abs($1)) } }.max() ?? 0
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        var files: [URL] = []
        for (name, stem) in zip(model.instruments, stems) {
            let interleaved = DecodedAudio.interleaved(stem)
            let file = output.appendingPathComponent("\(name).wav")
            try AudioWriter.write(interleaved, channels: 2, sampleRate: rate, format: .wavFloat, to: file.path)
            files.append(file)
        }
        return Result(
            files: files, sampleRate: rate, channels: 2, seconds: Double(channels[0].count) / Double(rate),
            residualPeak: residual,
            inputPeak: peak)
    }

    /// Any separator on the whole file, prepared as ingest prepares a track.
    public static func stored(audio: URL, separator: any Separator, config: FrontEndConfig, output: URL) async throws -> Result {
        let track = try PreparedTrack.load(path: audio.path, sampleRate: config.sampleRate)
        let mix = track.mono
        let stems = try await separator.separate(
            SeparationInput(
                mix: mix, sampleRate: config.sampleRate, sourcePath: audio.path, trackId: track.contentHash,
                excerpt: Excerpt.choose(total: mix.count, length: mix.count, sampleRate: config.sampleRate, policy: .start)))
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        var files: [URL] = []
        for (name, signal) in zip(stems.names, stems.signals) {
            let file = output.appendingPathComponent("\(name).wav")
            try AudioWriter.write(signal, channels: 1, sampleRate: config.sampleRate, format: .wavFloat, to: file.path)
            files.append(file)
        }
        let residual = StemChecks.largestResidual(stems.signals, of: mix)
        return Result(
            files: files, sampleRate: config.sampleRate, channels: 1, seconds: Double(mix.count) / Double(config.sampleRate),
            residualPeak: residual, inputPeak: mix.reduce(0) { max($0, abs($1)) })
    }
}

import AudioIO
import Core
import Foundation
import Inference

/// spleeter (Deezer's U-Net separator, MIT; the separator of the paper), run natively by
/// `SpleeterModel` on weights converted by `tools/convert_spleeter.py`.
///
/// The stored excerpt (mono, 22 050 Hz) is resampled to 44.1 kHz with soxr HQ and duplicated to
/// stereo, as spleeter's `Separator` treats a mono file; each stem is down-mixed (channel mean) and
/// resampled back, as ingest does for imported stems. spleeter's own stems do not add up to its
/// input (its masks are zero above bin 1023, 11 kHz, and the resampling round trip has its own
/// error), but an explanation's all-ones mask must be the real excerpt: so the difference
/// excerpt − Σ stems is added to one stem, `accompaniment` (2 stems) or `other` (4/5 stems),
/// and its peak is reported in `Stems.absorbed`.
public struct SpleeterSeparator: Separator {
    public let model: SpleeterModel
    /// oneDNN/OpenMP threads per separation (ingest runs `workers` separations at once).
    public let threads: Int

    /// The stem that takes the difference between the excerpt and the network's stems.
    public var absorbingStem: String {
        let names = model.instruments
        if names.contains("accompaniment") { return "accompaniment" }
        if names.contains("other") { return "other" }
        return names[names.count - 1]
    }

    public init(model: SpleeterModel, threads: Int) {
        self.model = model
        self.threads = max(1, threads)
    }

    struct Parameters: Codable {
        var weights: String
        var instruments: [String]
        var resampler = "soxr-hq"
        var absorbs: String
    }

    public var identity: SeparatorIdentity {
        SeparatorIdentity(
            name: "spleeter", version: "1",
            parameters: Parameters(weights: model.weights.contentHash, instruments: model.instruments, absorbs: absorbingStem))
    }

    public func prepareInBackground() { model.prepareInBackground() }

    public func separate(_ input: SeparationInput) async throws(SeparationError) -> Stems {
        let raw = try networkStems(input)
        return try Self.complete(raw, names: model.instruments, absorbing: absorbingStem, mix: input.mix, path: input.sourcePath)
    }

    /// The network's own stems of `input` at the excerpt's rate (not yet adding up to it).
    func networkStems(_ input: SeparationInput) throws(SeparationError) -> [[Float]] {
        let rate = SpleeterParameters.sampleRate
        let resampler = Resampler(quality: .high)
        let upsampled: [Float]
        do { upsampled = try resampler.resample(input.mix, from: input.sampleRate, to: rate, path: input.sourcePath) } catch {
            throw .audio(error)
        }
        let stereo = try Self.run(model, [upsampled, upsampled], threads: threads, path: input.sourcePath)
        var signals: [[Float]] = []
        for channels in stereo {
            let mono = zip(channels[0], channels[1]).map { ($0 + $1) * 0.5 }
            var back: [Float]
            do { back = try resampler.resample(mono, from: rate, to: input.sampleRate, path: input.sourcePath) } catch {
                throw .audio(error)
            }
            // soxr rounds lengths; the round trip is within a sample or two of the excerpt.
            guard abs(back.count - input.mix.count) <= StemFolder.lengthTolerance else {
                throw .lengthMismatch(path: input.sourcePath, stem: "(resampled)", expected: input.mix.count, actual: back.count)
            }
            if back.count > input.mix.count { back.removeLast(back.count - input.mix.count) }
            back.append(contentsOf: repeatElement(0, count: input.mix.count - back.count))
            signals.append(back)
        }
        return signals
    }

    /// Runs the network on stereo 44.1 kHz audio and refuses stems that are all copies of the input.
    public static func run(_ model: SpleeterModel, _ channels: [[Float]], threads: Int, path: String) throws(SeparationError)
        -> [[[Float]]]
    {
        let stems: [[[Float]]]
        do { stems = try model.separate(channels, threads: threads) } catch {
            throw .invalidStems(path: path, reason: error.description)
        }
        let copies = stems.allSatisfy { stem in
            zip(stem, channels).allSatisfy { StemChecks.isCopy($0, of: $1) }
        }
        if copies, channels.contains(where: { $0.contains { $0 != 0 } }) {
            throw .invalidStems(path: path, reason: SpleeterError.identityOutput(instruments: model.instruments).description)
        }
        return stems
    }

    /// `signals` with excerpt − Σ signals added to `absorbing`, validated as `Stems`.
    static func complete(_ signals: [[Float]], names: [String], absorbing: String, mix: [Float], path: String)
        throws(SeparationError) -> Stems
    {
        guard let target = names.firstIndex(of: absorbing) else {
            throw .invalidStems(path: path, reason: "no stem named '\(absorbing)' to take the residual")
        }
        var signals = signals
        var peak: Float = 0
        for k in 0..<mix.count {
            var sum: Float = 0
            for s in signals.indices { sum += signals[s][k] }
            let residual = mix[k] - sum
            peak = max(peak, abs(residual))
            signals[target][k] += residual
        }
        var stems = try Stems(names: names, signals: signals, length: mix.count, path: path)
        stems.absorbed = AbsorbedResidual(stem: absorbing, peak: peak, mixPeak: mix.reduce(0) { max($0, abs($1)) })
        return stems
    }
}

/// The difference between an excerpt and a separator's own stems that was added to one stem so
/// that the stems add up to the excerpt.
public struct AbsorbedResidual: Sendable, Equatable {
    public var stem: String
    /// max |excerpt − Σ network stems|.
    public var peak: Float
    /// max |excerpt|, to state `peak` relative to it.
    public var mixPeak: Float

    /// `peak` in dB relative to the excerpt's peak (−∞ when nothing was absorbed).
    public var decibelsBelowPeak: Double {
        guard peak > 0, mixPeak > 0 else { return -.infinity }
        return 20 * log10(Double(peak) / Double(mixPeak))
    }
}

/// Checks on a separator's output.
public enum StemChecks {
    /// Whether `stem` equals `input` within 1e-6 of the input's peak: the classic silent failure of
    /// a model that did not load (every stem comes out as the mixture).
    public static func isCopy(_ stem: [Float], of input: [Float]) -> Bool {
        guard stem.count == input.count else { return false }
        let peak = input.reduce(0) { max($0, abs($1)) }
        let tolerance = 1e-6 * peak
        return zip(stem, input).allSatisfy { abs($0 - $1) <= tolerance }
    }

    /// max |mix − Σ stems|: what a separator's stems leave out of (or add to) its input.
    public static func largestResidual(_ stems: [[Float]], of mix: [Float]) -> Float {
        var largest: Float = 0
        for k in mix.indices {
            var sum: Float = 0
            for stem in stems where k < stem.count { sum += stem[k] }
            largest = max(largest, abs(mix[k] - sum))
        }
        return largest
    }
}

import DSP
import Foundation

/// The built-in, weight-free separator: the "bandsplit" recipe of the maintainers' separation
/// notes (reference SEPARATION.md, setting C1), built from median-filter harmonic/percussive
/// splits (Fitzgerald 2010, "Harmonic/percussive separation using median filtering") at two
/// resolutions plus a low-band split:
///
/// 1. X = STFT₄₀₉₆(y); a raised-cosine crossover w(f) (1 below fc·2^-½, 0 above fc·2^½, fc = 250 Hz).
/// 2. Low band w·X: HPSS (time kernel 15 frames, frequency kernel 9 bins) → bass (harmonic share)
///    and the kick (percussive share).
/// 3. High band (1−w)·X: HPSS (63 frames, 9 bins) → sustained share mS: other = sustained part;
///    the fluctuating part F goes back to the time domain.
/// 4. STFT₁₀₂₄(F): HPSS (5 frames, 9 bins) → drums_high (percussive); vocals = F − drums_high.
/// 5. drums = kick + drums_high.
///
/// Soft masks H^p/(H^p+P^p) with p = 2 and 0/0 → ½. `other` is computed as the residual
/// y − bass − kick − F, so the four stems add up to the excerpt exactly (up to float rounding).
/// Piano stays inside `other`. A fallback that makes the pipeline work offline, not a rival to
/// neural separators (which reach about 5–6 dB SI-SDR on real music).
public struct BandsplitSeparator: Separator {
    /// Kernel sizes are in frames and bins at 22 050 Hz (the analysis rate).
    public struct Parameters: Sendable, Hashable, Codable {
        public var longFrame = 4096
        public var shortFrame = 1024
        public var crossoverHz = 250.0
        public var crossoverOctaves = 1.0
        public var lowTimeKernel = 15
        public var lowFrequencyKernel = 9
        public var highTimeKernel = 63
        public var highFrequencyKernel = 9
        public var shortTimeKernel = 5
        public var shortFrequencyKernel = 9
        public var maskPower = 2.0
        public init() {}
    }

    public static let stemNames = ["vocals", "drums", "bass", "other"]
    public let parameters: Parameters
    private let transforms: Transforms

    /// FFTW plans for both resolutions, made once and shared by every call.
    final class Transforms: Sendable {
        let long: ShortTimeFourierTransform
        let short: ShortTimeFourierTransform
        init(_ p: Parameters) {
            long = ShortTimeFourierTransform(size: p.longFrame)
            short = ShortTimeFourierTransform(size: p.shortFrame)
        }
    }

    public init(parameters: Parameters = Parameters()) {
        self.parameters = parameters
        self.transforms = Transforms(parameters)
    }

    public var identity: SeparatorIdentity {
        SeparatorIdentity(name: "bandsplit", version: "1", parameters: parameters)
    }

    public func separate(_ input: SeparationInput) async throws(SeparationError) -> Stems {
        let stems = split(input.mix, sampleRate: input.sampleRate)
        return try Stems(
            names: Self.stemNames, signals: [stems.vocals, stems.drums, stems.bass, stems.other],
            length: input.mix.count, path: input.sourcePath)
    }

    /// The four stems of a mono signal.
    public func split(_ y: [Float], sampleRate: Int) -> (vocals: [Float], drums: [Float], bass: [Float], other: [Float]) {
        let p = parameters
        let length = y.count
        let long = transforms.long
        let x = long.forward(y)
        let frames = x.frameCount
        let bins = x.binCount
        let magnitude = x.magnitudes()
        let w = crossover(bins: bins, frameSize: long.size, sampleRate: sampleRate)

        // Low band: only rows where w > 0 need masks (plus half a kernel of neighbours for the
        // frequency medians, which read real rows).
        let lowRows = 0..<min(bins, (w.lastIndex(where: { $0 > 0 }) ?? 0) + 1)
        let lowMag = weighted(magnitude, frames: frames, bins: bins) { k in w[k] }
        let lowH = MedianFilter.alongTime(lowMag, frames: frames, bins: bins, kernel: p.lowTimeKernel, rows: lowRows)
        let lowP = MedianFilter.alongFrequency(lowMag, frames: frames, bins: bins, kernel: p.lowFrequencyKernel, rows: lowRows)
        var bassMask = [Float](repeating: 0, count: frames * bins)
        var kickMask = [Float](repeating: 0, count: frames * bins)
        for t in 0..<frames {
            for k in lowRows {
                let i = t * bins + k
                let h = share(lowH[i], lowP[i], power: p.maskPower)
                bassMask[i] = w[k] * h
                kickMask[i] = w[k] * (1 - h)
            }
        }
        let bass = long.inverse(x.masked(by: bassMask), length: length)
        let kick = long.inverse(x.masked(by: kickMask), length: length)

        // High band: the sustained share stays as `other`; the fluctuating part F goes on.
        let highMag = weighted(magnitude, frames: frames, bins: bins) { k in 1 - w[k] }
        let highH = MedianFilter.alongTime(highMag, frames: frames, bins: bins, kernel: p.highTimeKernel)
        let highP = MedianFilter.alongFrequency(highMag, frames: frames, bins: bins, kernel: p.highFrequencyKernel)
        var fluctuatingMask = [Float](repeating: 0, count: frames * bins)
        for t in 0..<frames {
            for k in 0..<bins {
                let i = t * bins + k
                fluctuatingMask[i] = (1 - share(highH[i], highP[i], power: p.maskPower)) * (1 - w[k])
            }
        }
        let fluctuating = long.inverse(x.masked(by: fluctuatingMask), length: length)

        // Short frames on F: percussive share → high drums; the rest of F → vocals.
        let short = transforms.short
        let x3 = short.forward(fluctuating)
        let m3 = x3.magnitudes()
        let h3 = MedianFilter.alongTime(m3, frames: x3.frameCount, bins: x3.binCount, kernel: p.shortTimeKernel)
        let p3 = MedianFilter.alongFrequency(m3, frames: x3.frameCount, bins: x3.binCount, kernel: p.shortFrequencyKernel)
        let drumsHighMask = (0..<m3.count).map { 1 - share(h3[$0], p3[$0], power: p.maskPower) }
        let drumsHigh = short.inverse(x3.masked(by: drumsHighMask), length: length)

        var vocals = [Float](repeating: 0, count: length)
        var drums = [Float](repeating: 0, count: length)
        var other = [Float](repeating: 0, count: length)
        for i in 0..<length {
            vocals[i] = fluctuating[i] - drumsHigh[i]
            drums[i] = kick[i] + drumsHigh[i]
            other[i] = y[i] - bass[i] - kick[i] - fluctuating[i]
        }
        return (vocals, drums, bass, other)
    }

    /// Harmonic share H^p / (H^p + P^p), ½ when both are zero.
    @inline(__always)
    func share(_ h: Float, _ p: Float, power: Double) -> Float {
        let hp: Float
        let pp: Float
        if power == 2 {
            hp = h * h
            pp = p * p
        } else {
            hp = Float(pow(Double(h), power))
            pp = Float(pow(Double(p), power))
        }
        let sum = hp + pp
        return sum > 0 ? hp / sum : 0.5
    }

    /// Crossover weight per bin: 1 at or below fc·2^(−o/2), 0 at or above fc·2^(o/2), raised
    /// cosine in log-frequency between; DC counts as below.
    func crossover(bins: Int, frameSize: Int, sampleRate: Int) -> [Float] {
        let fc = parameters.crossoverHz
        let octaves = parameters.crossoverOctaves
        return (0..<bins).map { k in
            let f = Double(k) * Double(sampleRate) / Double(frameSize)
            if f <= fc * pow(2, -octaves / 2) { return 1 }
            if f >= fc * pow(2, octaves / 2) { return 0 }
            let x = (log2(f) - log2(fc) + octaves / 2) / octaves
            return Float(0.5 * (1 + cos(Double.pi * x)))
        }
    }

    private func weighted(_ m: [Float], frames: Int, bins: Int, weight: (Int) -> Float) -> [Float] {
        let w = (0..<bins).map(weight)
        var out = m
        for t in 0..<frames { for k in 0..<bins { out[t * bins + k] *= w[k] } }
        return out
    }
}

import AudioIO
import COpenBLAS
import Foundation

/// Why musicnn could not tag some audio. Every case says what was wrong and, where a file is
/// involved, names it.
public enum MusicnnError: Error, Equatable, CustomStringConvertible {
    /// No samples at all.
    case emptyAudio
    /// The audio gives fewer frames than one 187-frame patch (musicnn itself crashes here).
    case tooShort(sampleCount: Int, frameCount: Int)
    /// A sample rate of zero or less.
    case invalidSampleRate(Int)
    /// Patch values that do not fill `count` × 187 × 96.
    case patchShape(valueCount: Int, patchCount: Int)
    /// A log-mel spectrogram whose values do not fill `frameCount` × 96.
    case spectrogramShape(valueCount: Int, frameCount: Int)
    /// Decoding or resampling failed.
    case audio(AudioError)
    /// The weights could not be loaded.
    case model(ModelError)

    public var description: String {
        switch self {
        case .emptyAudio: "musicnn: the audio holds no samples"
        case let .tooShort(samples, frames):
            "musicnn: \(samples) samples at 16 kHz give \(frames) frames; one patch needs \(MusicnnFrontEnd.patchFrames) frames "
                + "(at least \(MusicnnFrontEnd.minimumSampleCount) samples, 2.976 s)"
        case let .invalidSampleRate(rate): "musicnn: invalid sample rate \(rate)"
        case let .patchShape(n, p):
            "musicnn: \(n) values do not fill \(p) patches of \(MusicnnFrontEnd.patchFrames) × \(MusicnnFrontEnd.melBandCount)"
        case let .spectrogramShape(n, t): "musicnn: \(n) values do not fill \(t) frames of \(MusicnnFrontEnd.melBandCount) bands"
        case let .audio(error): error.description
        case let .model(error): error.description
        }
    }
}

/// A log-mel spectrogram as musicnn feeds it to the network: time-major `frameCount × 96`,
/// value (t, m) at `values[t * 96 + m]`.
public struct MusicnnSpectrogram: Sendable, Equatable {
    public let frameCount: Int
    public var values: [Float]

    public init(frameCount: Int, values: [Float]) throws(MusicnnError) {
        guard frameCount >= 0, values.count == frameCount * MusicnnFrontEnd.melBandCount else {
            throw .spectrogramShape(valueCount: values.count, frameCount: frameCount)
        }
        self.frameCount = frameCount
        self.values = values
    }
}

/// The network input: `count` non-overlapping 187-frame patches of the log-mel spectrogram,
/// `count × 187 × 96` (patch, time, mel) contiguous, exactly the batch musicnn's
/// `extractor.batch_data` builds. Frames after the last whole patch are dropped.
public struct MusicnnPatches: Sendable, Equatable {
    /// Number of patches (≥ 1).
    public let count: Int
    /// `count × 187 × 96` float32 values.
    public let values: [Float]
    /// Frames of the spectrogram the patches were cut from (`count · 187` plus the dropped tail).
    public let frameCount: Int

    /// - Parameter frameCount: frames of the source spectrogram, at least `count · 187`; nil means
    ///   exactly `count · 187` (no tail).
    public init(values: [Float], count: Int, frameCount: Int? = nil) throws(MusicnnError) {
        guard count >= 1, values.count == count * MusicnnFrontEnd.patchSize else {
            throw .patchShape(valueCount: values.count, patchCount: count)
        }
        let used = count * MusicnnFrontEnd.patchFrames
        guard (frameCount ?? used) >= used else {
            throw .spectrogramShape(valueCount: values.count, frameCount: frameCount ?? used)
        }
        self.count = count
        self.values = values
        self.frameCount = frameCount ?? used
    }

    /// Frames after the last whole patch, never seen by the network.
    public var droppedFrames: Int { frameCount - count * MusicnnFrontEnd.patchFrames }
}

/// musicnn 0.1.0's front end for `MSD_musicnn` (reference: the maintainers' musicnn reference (MUSICNN.md)
/// §§1–3, i.e. `extractor.batch_data` under librosa 0.7.2 and numpy < 2), reproduced to the bit:
///
/// 1. 16 kHz mono float32 samples, padded by 256 samples on each side by **reflection** (librosa
///    0.7's `pad_mode="reflect"`); frame t covers padded samples [256t, 256t + 512), so there are
///    `1 + N / 256` frames.
/// 2. scipy's periodic Hann window (`get_window("hann", 512, fftbins=True)`, float64), times the
///    float32 samples in float64, then the DFT in float64 rounded to complex64 (librosa's numpy
///    FFT), |X| as numpy's SIMD complex64 `absolute` computes it, squared in float32
///    (`np.abs(S) ** 2`).
/// 3. librosa's Slaney mel filterbank (`filters.mel(16000, 512, n_mels=96)`, fmin 0, fmax 8 kHz,
///    Slaney area normalisation, weights rounded to float32 twice as librosa stores them) applied
///    with `sgemm`, giving the mel power [T, 96].
/// 4. Quantised to IEEE half precision (round to nearest even, subnormals kept) and compressed as
///    `log10(10000 · h + 1)` evaluated in float32 (numpy < 2 promotion; numpy ≥ 2 would overflow).
/// 5. Cut into non-overlapping 187-frame patches; the tail is dropped and audio shorter than one
///    patch (47,616 samples) is an error (musicnn crashes there).
///
/// The DFT is a float64 `dgemm` against a cosine/sine matrix rather than a float32 FFT: a float32
/// FFT moves the mel power by a few float32 ulps, enough to flip the float16 rounding of some tens
/// of cells per 30 s (each flip is up to 4.2e-4 after the log), while float64 reproduces the
/// reference's mel power to float32 rounding and its float16 values exactly. It costs about 3 % of
/// the network's time.
///
/// Audio at other rates is resampled with libsoxr HQ (`Resampler`). musicnn's librosa 0.7 used
/// resampy `kaiser_best`, so tags of non-16-kHz input differ slightly from the reference.
///
/// ```swift
/// let frontEnd = MusicnnFrontEnd()
/// let patches = try frontEnd.patches(samples)          // 16 kHz mono
/// let patches2 = try frontEnd.patches(decoded, sampleRate: 44_100)
/// ```
public struct MusicnnFrontEnd: Sendable {
    public static let sampleRate = 16_000
    public static let fftSize = 512
    public static let hopLength = 256
    public static let binCount = 257
    public static let melBandCount = 96
    /// Frames per patch: `time_to_frames(3 s) + 1` = 187.
    public static let patchFrames = 187
    /// Values per patch, 187 × 96.
    public static let patchSize = patchFrames * melBandCount
    /// The input a musicnn model reads, as the catalog's `models.front_end` names it.
    public static let identifier = "mel:\(sampleRate)Hz:\(melBandCount)x\(patchFrames)"
    /// The shortest input (16 kHz samples) that yields one patch: 186 · 256 = 47,616.
    public static let minimumSampleCount = (patchFrames - 1) * hopLength

    /// The Slaney mel filterbank, `96 × 257` row-major float32, as librosa 0.7.2 builds it.
    public let melFilterbank: [Float]
    /// scipy's periodic Hann window of length 512 in float64.
    let window: [Double]
    /// `512 × 514`: column 2k holds cos(2πnk/512), column 2k + 1 holds −sin(2πnk/512).
    let dftMatrix: [Double]

    public init() {
        melFilterbank = Self.slaneyMelFilterbank()
        window = Self.periodicHann()
        dftMatrix = Self.makeDFTMatrix()
    }

    /// Frames of a signal of `sampleCount` samples: 1 + N / 256 (centred frames).
    public static func frameCount(sampleCount: Int) -> Int { 1 + sampleCount / hopLength }

    /// Whole patches in `frameCount` frames: floor(T / 187).
    public static func patchCount(frameCount: Int) -> Int { frameCount / patchFrames }

    // MARK: Mel power

    /// The mel power spectrogram (before the float16 cast), time-major `T × 96`, T = 1 + N / 256.
    public func melPower(_ samples: [Float]) throws(MusicnnError) -> MusicnnSpectrogram {
        guard !samples.isEmpty else { throw .emptyAudio }
        let frames = Self.frameCount(sampleCount: samples.count)
        let spectra: [Double] = samples.withUnsafeBufferPointer { self.spectra(of: $0, frames: 0..<frames) }
        return spectra.withUnsafeBufferPointer { melPower(spectra: $0, scale: 1) }
    }

    /// Padded frame `frame` times the window, in float64: samples 256·frame − 256 ..< 256·frame + 256
    /// with numpy's reflect padding outside the signal.
    static func windowFrame(
        _ x: UnsafePointer<Float>, sampleCount: Int, frame: Int, window: UnsafePointer<Double>,
        into out: UnsafeMutablePointer<Double>
    ) {
        let start = frame * hopLength - fftSize / 2
        if start >= 0, start + fftSize <= sampleCount {
            let src = x + start
            for i in 0..<fftSize { out[i] = window[i] * Double(src[i]) }
        } else {
            for i in 0..<fftSize { out[i] = window[i] * Double(x[reflect(start + i, count: sampleCount)]) }
        }
    }

    /// numpy's `pad(mode="reflect")` index: mirror about the first and last sample without
    /// repeating them, periodically when the padding is longer than the signal.
    static func reflect(_ i: Int, count n: Int) -> Int {
        guard n > 1 else { return 0 }
        let period = 2 * (n - 1)
        var j = i % period
        if j < 0 { j += period }
        return j < n ? j : period - j
    }

    /// complex64 rounding of the float64 DFT, then `np.abs(S) ** 2` in float32.
    static func powerSpectrum(_ spectrum: UnsafePointer<Double>, count: Int, into power: UnsafeMutablePointer<Float>) {
        for i in 0..<count {
            let magnitude = complexAbs(Float(spectrum[2 * i]), Float(spectrum[2 * i + 1]))
            power[i] = magnitude * magnitude
        }
    }

    /// numpy's SIMD complex64 `absolute` (`simd_cabsolute_f32`, numpy ≥ 1.18 with AVX-512F and
    /// every numpy 2 SIMD target), which the reference mel power went through: with
    /// l = max(|re|, |im|) and s = min(|re|, |im|), |z| = sqrt(fma(s/l, s/l, 1)) · l in float32.
    /// It differs from a correctly rounded hypot in about a third of the bins (by an ulp).
    @inline(__always)
    static func complexAbs(_ re: Float, _ im: Float) -> Float {
        let a = abs(re)
        let b = abs(im)
        let larger = max(a, b)
        let smaller = min(a, b)
        guard larger.isFinite, smaller.isFinite else { return larger.isNaN || smaller.isNaN ? .nan : .infinity }
        let ratio = larger == 0 ? 0 : smaller / larger
        return Float(1).addingProduct(ratio, ratio).squareRoot() * larger
    }

    // MARK: Log compression and patches

    /// One input cell from one mel power value: float16 round-to-nearest-even, then
    /// `log10(10000 · h + 1)` in float32.
    @inline(__always)
    public static func logCompress(_ power: Float) -> Float {
        let h = Float(Float16(power))
        return log10(10_000 * h + 1)
    }

    /// The log-mel spectrogram (network input values) of a mel power spectrogram.
    public static func logCompress(_ power: MusicnnSpectrogram) -> MusicnnSpectrogram {
        var values = power.values
        values.withUnsafeMutableBufferPointer { v in
            for i in 0..<v.count { v[i] = logCompress(v[i]) }
        }
        return MusicnnSpectrogram(uncheckedFrameCount: power.frameCount, values: values)
    }

    /// The log-mel spectrogram of 16 kHz mono samples, `T × 96`, all frames.
    public func logMel(_ samples: [Float]) throws(MusicnnError) -> MusicnnSpectrogram {
        Self.logCompress(try melPower(samples))
    }

    /// Non-overlapping 187-frame patches of a log-mel spectrogram; the tail is dropped.
    public static func patches(_ logMel: MusicnnSpectrogram) throws(MusicnnError) -> MusicnnPatches {
        let count = patchCount(frameCount: logMel.frameCount)
        guard count >= 1 else {
            throw .tooShort(sampleCount: max(0, (logMel.frameCount - 1) * hopLength), frameCount: logMel.frameCount)
        }
        return try MusicnnPatches(
            values: Array(logMel.values[0..<(count * patchSize)]), count: count, frameCount: logMel.frameCount)
    }

    /// The network input for 16 kHz mono samples.
    public func patches(_ samples: [Float]) throws(MusicnnError) -> MusicnnPatches {
        guard !samples.isEmpty else { throw .emptyAudio }
        guard samples.count >= Self.minimumSampleCount else {
            throw .tooShort(sampleCount: samples.count, frameCount: Self.frameCount(sampleCount: samples.count))
        }
        return try Self.patches(try logMel(samples))
    }

    /// The network input for mono samples at any rate: resampled to 16 kHz first (libsoxr HQ by
    /// default; musicnn used resampy `kaiser_best`, so results differ slightly from the reference
    /// for rates other than 16 kHz).
    public func patches(_ samples: [Float], sampleRate: Int, resampler: Resampler = Resampler(quality: .high))
        throws(MusicnnError) -> MusicnnPatches
    {
        try patches(try Self.resampled(samples, sampleRate: sampleRate, resampler: resampler))
    }

    /// Mono samples converted to 16 kHz (unchanged when already at 16 kHz).
    public static func resampled(_ samples: [Float], sampleRate: Int, resampler: Resampler = Resampler(quality: .high))
        throws(MusicnnError) -> [Float]
    {
        guard sampleRate > 0 else { throw .invalidSampleRate(sampleRate) }
        guard !samples.isEmpty else { throw .emptyAudio }
        do {
            return try resampler.resample(samples, from: sampleRate, to: Self.sampleRate)
        } catch {
            throw .audio(error)
        }
    }

    // MARK: Constant tables

    /// scipy.signal.get_window("hann", 512, fftbins=True): `general_cosine` over
    /// `linspace(-π, π, 513)` without its last point, w[n] = 0.5 + 0.5·cos(n·(2π/512) − π).
    static func periodicHann() -> [Double] {
        let step = (Double.pi - -Double.pi) / Double(fftSize)
        return (0..<fftSize).map { n in 0.5 + 0.5 * cos(Double(n) * step + -Double.pi) }
    }

    /// The real DFT as a matrix, with exact zeros and ones at the quarter turns.
    static func makeDFTMatrix() -> [Double] {
        let n = fftSize
        let width = 2 * binCount
        var cosine = (0..<n).map { cos(Double.pi * Double($0) / Double(n / 2)) }
        var sine = (0..<n).map { sin(Double.pi * Double($0) / Double(n / 2)) }
        for (m, c, s) in [(0, 1.0, 0.0), (n / 4, 0, 1), (n / 2, -1, 0), (3 * n / 4, 0, -1)] {
            cosine[m] = c
            sine[m] = s
        }
        var matrix = [Double](repeating: 0, count: n * width)
        for i in 0..<n {
            for k in 0..<binCount {
                let m = (i * k) % n
                matrix[i * width + 2 * k] = cosine[m]
                matrix[i * width + 2 * k + 1] = -sine[m]
            }
        }
        return matrix
    }

    /// librosa's Slaney mel scale (`hz_to_mel`, htk=False): linear below 1 kHz, logarithmic above.
    static func hzToMel(_ f: Double) -> Double {
        let fSp = 200.0 / 3
        let minLogHz = 1000.0
        let minLogMel = minLogHz / fSp
        let logStep = log(6.4) / 27.0
        return f >= minLogHz ? minLogMel + log(f / minLogHz) / logStep : f / fSp
    }

    /// The inverse, librosa's `mel_to_hz` (htk=False).
    static func melToHz(_ m: Double) -> Double {
        let fSp = 200.0 / 3
        let minLogHz = 1000.0
        let minLogMel = minLogHz / fSp
        let logStep = log(6.4) / 27.0
        return m >= minLogMel ? minLogHz * exp(logStep * (m - minLogMel)) : fSp * m
    }

    /// The 98 band edges in Hz: `mel_frequencies(98, fmin=0, fmax=8000)`, equally spaced in mel
    /// (numpy `linspace`: i·step + start, the last point set to the stop value).
    static func melBandEdges() -> [Double] {
        let count = melBandCount + 2
        let start = hzToMel(0)
        let stop = hzToMel(Double(sampleRate) / 2)
        let step = (stop - start) / Double(count - 1)
        return (0..<count).map { melToHz($0 == count - 1 ? stop : Double($0) * step + start) }
    }

    /// librosa 0.7.2 `filters.mel(sr=16000, n_fft=512, n_mels=96)` (norm=1, i.e. Slaney): triangles
    /// on the bin frequencies j·31.25 Hz stored in float32, then multiplied in place by the float64
    /// area normaliser 2 / (f[i+2] − f[i]) and stored in float32 again.
    static func slaneyMelFilterbank() -> [Float] {
        let edges = melBandEdges()
        let binHz = Double(sampleRate) / 2 / Double(binCount - 1)
        var weights = [Float](repeating: 0, count: melBandCount * binCount)
        for i in 0..<melBandCount {
            let lowerWidth = edges[i + 1] - edges[i]
            let upperWidth = edges[i + 2] - edges[i + 1]
            let normaliser = 2.0 / (edges[i + 2] - edges[i])
            for j in 0..<binCount {
                let f = Double(j) * binHz
                let lower = -(edges[i] - f) / lowerWidth
                let upper = (edges[i + 2] - f) / upperWidth
                let triangle = Float(max(0, min(lower, upper)))
                weights[i * binCount + j] = Float(Double(triangle) * normaliser)
            }
        }
        return weights
    }
}

extension MusicnnSpectrogram {
    /// For values this module computed with the right size.
    init(uncheckedFrameCount frameCount: Int, values: [Float]) {
        precondition(values.count == frameCount * MusicnnFrontEnd.melBandCount, "spectrogram size")
        self.frameCount = frameCount
        self.values = values
    }
}

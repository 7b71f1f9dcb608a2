import CVectorMath
import Foundation

/// The paper's log-filtered spectrogram: madmom 0.16.1 `MadmomAudioProcessor(fps=31.3).process`
/// (docs/ARCHITECTURE.md, "The front end"): peak-normalise in float32, trim exact leading and trailing zeros
/// (`np.trim_zeros`), frame with the fractional hop, symmetric Hann window, real FFT (FFTW,
/// single precision) keeping bins 0..1023, magnitude, 149-band logarithmic filterbank,
/// `log10(1 + x)`. Output is bands × frames, row-major (bands are rows, low to high).
///
/// Silence policy: madmom divides 0/0 for an all-zero signal and returns NaN frames; stemtrace
/// defines the spectrogram of silence as all zeros (`log10(1 + 0)`) over `ceil(N / hop)` frames.
///
/// ```swift
/// let processor = LogFilteredSpectrogram()            // build once, share across threads
/// let spec = try processor.compute(samples)          // 149 × T
/// let input = spec.modelInput()                      // 149 × 1252 (loop padding)
/// ```
public final class LogFilteredSpectrogram: Sendable {
    public let config: SpectrogramConfig
    public let filterbank: LogarithmicFilterbank
    let window: [Float]
    let fft: RealFFT
    let bandedBank: BandedFilterbank

    /// - Parameter planning: FFTW's planner (`FFTPlanning`); the deterministic default is what
    ///   every stage uses.
    public init(config: SpectrogramConfig = .paper, planning: FFTPlanning = .shippedWisdom) {
        self.config = config
        self.filterbank = LogarithmicFilterbank(config: config)
        self.window = HannWindow.symmetric(length: config.frameSize).map { Float($0) }
        self.fft = RealFFT(size: config.frameSize, planning: planning)
        self.bandedBank = BandedFilterbank(filterbank)
    }

    /// Computes the spectrogram of a mono signal at `config.sampleRate`.
    public func compute(_ samples: [Float]) throws(DSPError) -> Spectrogram {
        try samples.withUnsafeBufferPointer { buffer in Result { () throws(DSPError) in try compute(buffer) } }.get()
    }

    public func compute(_ samples: UnsafeBufferPointer<Float>) throws(DSPError) -> Spectrogram {
        try compute(samples, conditioning: .paper)
    }

    /// The spectrogram with another signal conditioning (`.paper` is the reference processor).
    public func compute(_ samples: [Float], conditioning: SignalConditioning) throws(DSPError) -> Spectrogram {
        try samples.withUnsafeBufferPointer { buffer in
            Result { () throws(DSPError) in try compute(buffer, conditioning: conditioning) }
        }.get()
    }

    public func compute(_ samples: UnsafeBufferPointer<Float>, conditioning: SignalConditioning) throws(DSPError) -> Spectrogram {
        guard !samples.isEmpty else { throw .emptySignal }
        let peak = PeakNormalisation.peak(samples)
        guard peak.isFinite else { throw .nonFiniteSamples }
        guard peak > 0 else { return silence(sampleCount: samples.count) }
        switch conditioning {
        case .paper:
            let kept = PeakNormalisation.trimmedRange(samples, dividedBy: peak)
            return frames(of: UnsafeBufferPointer(rebasing: samples[kept]), peak: peak)
        case .normalized: return frames(of: samples, peak: peak)
        case .raw: return frames(of: samples, peak: 1)
        }
    }

    /// The all-zero spectrogram that stands for silence: `ceil(N / hop)` frames of `log10(1 + 0)`.
    public func silence(sampleCount: Int) -> Spectrogram {
        let frames = FrameGrid(sampleCount: sampleCount, hop: config.hopSize).frameCount
        let bands = filterbank.bandCount
        return Spectrogram(bandCount: bands, frameCount: frames, values: [Float](repeating: 0, count: bands * frames))
    }

    /// Frames per chunk: magnitudes of this many frames (512 KiB) are filtered by one set of BLAS calls.
    static let chunk = 128

    /// Normalises (x / peak, fused into the windowing), frames, transforms and filters a trimmed signal.
    func frames(of signal: UnsafeBufferPointer<Float>, peak: Float) -> Spectrogram {
        let grid = FrameGrid(sampleCount: signal.count, hop: config.hopSize)
        let frameCount = grid.frameCount
        let bandCount = filterbank.bandCount
        let frameSize = config.frameSize
        let bins = config.binCount
        var out = [Float](repeating: 0, count: bandCount * frameCount)
        let buffers = fft.makeBuffers()
        // Magnitudes of one chunk of frames, frame-major: magnitudes[f * bins + k].
        var magnitudes = [Float](repeating: 0, count: Self.chunk * bins)
        // The samples one chunk of frames covers, normalised once: frames overlap about three
        // times, so dividing per frame would divide each sample three times.
        var normalised = [Float](repeating: 0, count: Int(Double(Self.chunk) * config.hopSize) + frameSize + 1)
        guard let base = signal.baseAddress, frameCount > 0 else {
            return Spectrogram(bandCount: bandCount, frameCount: 0, values: [])
        }

        window.withUnsafeBufferPointer { w in
            magnitudes.withUnsafeMutableBufferPointer { mag in
                normalised.withUnsafeMutableBufferPointer { scaled in
                    out.withUnsafeMutableBufferPointer { result in
                        guard let magBase = mag.baseAddress, let resultBase = result.baseAddress, let wBase = w.baseAddress,
                            let scaledBase = scaled.baseAddress
                        else { return }
                        let input = buffers.real
                        let spectrum = buffers.interleavedComplex
                        for chunkStart in stride(from: 0, to: frameCount, by: Self.chunk) {
                            let count = min(Self.chunk, frameCount - chunkStart)
                            // madmom: x / peak in float32, then times the window; zeros past the end.
                            let spanStart = grid.start(ofFrame: chunkStart)
                            let spanEnd = min(signal.count, grid.start(ofFrame: chunkStart + count - 1) + frameSize)
                            let span = max(0, spanEnd - spanStart)
                            precondition(span <= scaled.count, "a chunk's samples exceed the normalisation buffer")
                            stemtrace_divide(scaledBase, base + spanStart, peak, span)
                            for f in 0..<count {
                                let start = grid.start(ofFrame: chunkStart + f)
                                let available = min(frameSize, signal.count - start)
                                stemtrace_multiply(input, scaledBase + (start - spanStart), wBase, available)
                                if available < frameSize {
                                    (input + available).update(repeating: 0, count: frameSize - available)
                                }
                                fft.forward(buffers)
                                stemtrace_magnitudes(magBase + f * bins, spectrum, bins)
                            }
                            bandedBank.apply(
                                magnitudes: magBase, binStride: bins, frames: count,
                                into: resultBase + chunkStart, frameStride: frameCount)
                        }
                        // log10(1 + x) as ln(1 + x) / ln(10) with glibc's vector logf: within a few ulp
                        // of log10f; numpy's own float32 log10 (SIMD) is no closer to correctly rounded.
                        stemtrace_log10_one_plus(resultBase, result.count)
                    }
                }
            }
        }
        return Spectrogram(bandCount: bandCount, frameCount: frameCount, values: out)
    }
}

/// Errors of the signal-processing front end.
public enum DSPError: Error, Equatable, CustomStringConvertible {
    case emptySignal
    case nonFiniteSamples

    public var description: String {
        switch self {
        case .emptySignal: "the signal has no samples"
        case .nonFiniteSamples: "the signal contains NaN or infinite samples"
        }
    }
}

import Foundation

/// The paper's log-filtered spectrogram: madmom 0.16.1 `MadmomAudioProcessor(fps=31.3).process`
/// (reference SPECTROGRAM.md): peak-normalise in float32, trim exact leading and trailing zeros
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

    public init(config: SpectrogramConfig = .paper) {
        self.config = config
        self.filterbank = LogarithmicFilterbank(config: config)
        self.window = HannWindow.symmetric(length: config.frameSize).map { Float($0) }
        self.fft = RealFFT(size: config.frameSize)
    }

    /// Computes the spectrogram of a mono signal at `config.sampleRate`.
    public func compute(_ samples: [Float]) throws(DSPError) -> Spectrogram {
        try samples.withUnsafeBufferPointer { buffer throws(DSPError) in try compute(buffer) }
    }

    public func compute(_ samples: UnsafeBufferPointer<Float>) throws(DSPError) -> Spectrogram {
        guard !samples.isEmpty else { throw .emptySignal }
        let peak = PeakNormalisation.peak(samples)
        guard peak.isFinite else { throw .nonFiniteSamples }
        let bands = filterbank.bandCount
        guard peak > 0 else {
            let frames = FrameGrid(sampleCount: samples.count, hop: config.hopSize).frameCount
            return Spectrogram(bandCount: bands, frameCount: frames, values: [Float](repeating: 0, count: bands * frames))
        }
        var normalised = [Float](unsafeUninitializedCapacity: samples.count) { out, n in
            for i in 0..<samples.count { out[i] = samples[i] / peak }
            n = samples.count
        }
        let kept = PeakNormalisation.trimmedRange(normalised)
        return normalised.withUnsafeMutableBufferPointer { all in
            frames(of: UnsafeBufferPointer(rebasing: all[kept]))
        }
    }

    /// Frames, transforms and filters an already normalised and trimmed signal.
    func frames(of signal: UnsafeBufferPointer<Float>) -> Spectrogram {
        let grid = FrameGrid(sampleCount: signal.count, hop: config.hopSize)
        let frameCount = grid.frameCount
        let bandCount = filterbank.bandCount
        let frameSize = config.frameSize
        let bins = config.binCount
        var out = [Float](repeating: 0, count: bandCount * frameCount)
        let buffers = fft.makeBuffers()
        var magnitude = [Float](repeating: 0, count: bins)
        let base = signal.baseAddress!

        window.withUnsafeBufferPointer { w in
        magnitude.withUnsafeMutableBufferPointer { mag in
        out.withUnsafeMutableBufferPointer { result in
            let input = buffers.input
            let spectrum = buffers.interleavedOutput
            for t in 0..<frameCount {
                let start = grid.start(ofFrame: t)
                let available = min(frameSize, signal.count - start)
                for n in 0..<available { input[n] = base[start + n] * w[n] }
                if available < frameSize { for n in available..<frameSize { input[n] = 0 } }
                fft.forward(buffers)
                for k in 0..<bins {
                    let re = spectrum[2 * k], im = spectrum[2 * k + 1]
                    mag[k] = (re * re + im * im).squareRoot()
                }
                for b in 0..<bandCount {
                    let s = filterbank.bandStart[b]
                    var acc: Float = 0
                    filterbank.weights[b].withUnsafeBufferPointer { fw in
                        for j in 0..<fw.count { acc += mag[s + j] * fw[j] }
                    }
                    result[b * frameCount + t] = log10f(1 + acc)
                }
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

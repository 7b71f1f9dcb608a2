import CVectorMath

/// The two halves of `LogFilteredSpectrogram` split at the complex spectrum, so a caller can form
/// spectra by linear combination (the STFT is linear) and finish them like the ordinary path:
/// `windowedSpectra` frames, windows and transforms a signal without normalising it;
/// `logFiltered` scales the magnitudes, applies the filterbank and the log.
extension LogFilteredSpectrogram {
    /// Complex spectra (bins `0 ..< config.binCount`, interleaved re/im, frame-major) of frames
    /// `frames` of the grid that starts at sample `offset` of `signal`: frame i covers samples
    /// `offset + floor(i · hop) ..< + frameSize`, reading zeros at or past the end of `signal`.
    /// The samples are windowed but not normalised.
    public func windowedSpectra(of signal: UnsafeBufferPointer<Float>, offset: Int, frames: Range<Int>) -> [Float] {
        let bins = config.binCount
        let frameSize = config.frameSize
        let grid = FrameGrid(sampleCount: 0, hop: config.hopSize)
        let buffers = fft.makeBuffers()
        return [Float](unsafeUninitializedCapacity: 2 * bins * frames.count) { out, initialised in
            window.withUnsafeBufferPointer { w in
                for (row, f) in frames.enumerated() {
                    let start = offset + grid.start(ofFrame: f)
                    let available = max(0, min(frameSize, signal.count - start))
                    for n in 0..<available { buffers.real[n] = signal[start + n] * w[n] }
                    if available < frameSize {
                        (buffers.real + available).update(repeating: 0, count: frameSize - available)
                    }
                    fft.forward(buffers)
                    let spectrum = buffers.interleavedComplex
                    for i in 0..<(2 * bins) { out[row * 2 * bins + i] = spectrum[i] }
                }
            }
            initialised = 2 * bins * frames.count
        }
    }

    /// The log-filtered spectrogram of `frameCount` complex frames (interleaved re/im,
    /// frame-major, `config.binCount` bins each): `log10(1 + filterbank(|scale · X|))`, bands × frames.
    public func logFiltered(spectra: UnsafePointer<Double>, frameCount: Int, scale: Double) -> Spectrogram {
        let bins = config.binCount
        let bandCount = filterbank.bandCount
        var out = [Float](repeating: 0, count: bandCount * frameCount)
        var magnitudes = [Float](repeating: 0, count: Self.chunk * bins)
        magnitudes.withUnsafeMutableBufferPointer { mag in
            out.withUnsafeMutableBufferPointer { result in
                guard let magBase = mag.baseAddress, let resultBase = result.baseAddress else { return }
                for chunkStart in stride(from: 0, to: frameCount, by: Self.chunk) {
                    let count = min(Self.chunk, frameCount - chunkStart)
                    let source = spectra + 2 * bins * chunkStart
                    stemtrace_scaled_magnitudes_f64(magBase, source, scale, count * bins)
                    bandedBank.apply(
                        magnitudes: magBase, binStride: bins, frames: count,
                        into: resultBase + chunkStart, frameStride: frameCount)
                }
                stemtrace_log10_one_plus(resultBase, result.count)
            }
        }
        return Spectrogram(bandCount: bandCount, frameCount: frameCount, values: out)
    }
}

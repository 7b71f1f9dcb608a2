import COpenBLAS
import DSP

/// musicnn's front end split at the complex spectrum, so perturbations can be composed from
/// cached spectra (the STFT, reflect padding included, is linear in the signal): `spectra` is the
/// float64 DFT of frames `frames` (as `melPower` computes it), `melPower(spectra:…)` finishes a
/// (summed) spectrum exactly like `melPower(_:)` from the complex64 rounding on.
extension MusicnnFrontEnd {
    /// Float64 complex spectra (re, im interleaved, frame-major, 257 bins) of frames `frames`.
    public func spectra(of samples: UnsafeBufferPointer<Float>, frames: Range<Int>) -> [Double] {
        let n = Self.fftSize
        let width = 2 * Self.binCount
        guard let xs = samples.baseAddress, !frames.isEmpty else { return [] }
        var windowed = [Double](repeating: 0, count: frames.count * n)
        var out = [Double](repeating: 0, count: frames.count * width)
        window.withUnsafeBufferPointer { w in
            dftMatrix.withUnsafeBufferPointer { dft in
                windowed.withUnsafeMutableBufferPointer { fr in
                    out.withUnsafeMutableBufferPointer { sp in
                        guard let ws = w.baseAddress, let d = dft.baseAddress, let f = fr.baseAddress, let s = sp.baseAddress
                        else { return }
                        for (i, t) in frames.enumerated() {
                            Self.windowFrame(xs, sampleCount: samples.count, frame: t, window: ws, into: f + i * n)
                        }
                        _ = BLASThreading.singleThreaded
                        cblas_dgemm(
                            CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(frames.count), Int32(width), Int32(n), 1, f,
                            Int32(n), d, Int32(width), 0, s, Int32(width))
                    }
                }
            }
        }
        return out
    }

    /// The mel power of the spectra (`frameCount × 257` complex values, each times `scale`), `frameCount × 96`.
    public func melPower(spectra: UnsafeBufferPointer<Double>, scale: Double) -> MusicnnSpectrogram {
        let bins = Self.binCount
        let bands = Self.melBandCount
        let frameCount = spectra.count / (2 * bins)
        var scaled = [Double](repeating: 0, count: 2 * bins * frameCount)
        for i in 0..<scaled.count { scaled[i] = spectra[i] * scale }
        var power = [Float](repeating: 0, count: frameCount * bins)
        var mel = [Float](repeating: 0, count: frameCount * bands)
        scaled.withUnsafeBufferPointer { sp in
            power.withUnsafeMutableBufferPointer { pw in
                melFilterbank.withUnsafeBufferPointer { fb in
                    mel.withUnsafeMutableBufferPointer { out in
                        guard let s = sp.baseAddress, let p = pw.baseAddress, let f = fb.baseAddress, let o = out.baseAddress,
                            frameCount > 0
                        else { return }
                        Self.powerSpectrum(s, count: frameCount * bins, into: p)
                        _ = BLASThreading.singleThreaded
                        cblas_sgemm(
                            CblasRowMajor, CblasNoTrans, CblasTrans, Int32(frameCount), Int32(bands), Int32(bins), 1, p,
                            Int32(bins), f, Int32(bins), 0, o, Int32(bands))
                    }
                }
            }
        }
        return MusicnnSpectrogram(uncheckedFrameCount: frameCount, values: mel)
    }
}

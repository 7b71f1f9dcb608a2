import CFFTW3f
import Foundation

/// One-sided complex spectrogram, frame-major: value (t, k) at `values[2 * (t * binCount + k)]`
/// (real) and the next element (imaginary).
public struct ComplexSpectrogram: Sendable {
    public let frameCount: Int
    public let binCount: Int
    public var values: [Float]

    public init(frameCount: Int, binCount: Int, values: [Float]) {
        precondition(values.count == 2 * frameCount * binCount, "values do not fill \(frameCount) × \(binCount) complex")
        self.frameCount = frameCount
        self.binCount = binCount
        self.values = values
    }

    /// |X| frame-major: magnitudes[t * binCount + k].
    public func magnitudes() -> [Float] {
        [Float](unsafeUninitializedCapacity: frameCount * binCount) { out, n in
            values.withUnsafeBufferPointer { v in
                for i in 0..<(frameCount * binCount) {
                    let re = v[2 * i]
                    let im = v[2 * i + 1]
                    out[i] = (re * re + im * im).squareRoot()
                }
            }
            n = frameCount * binCount
        }
    }

    /// A copy with every bin scaled by a real mask (frame-major, `frameCount × binCount`).
    public func masked(by mask: [Float]) -> ComplexSpectrogram {
        precondition(mask.count == frameCount * binCount, "mask does not match the spectrogram")
        var out = values
        out.withUnsafeMutableBufferPointer { o in
            mask.withUnsafeBufferPointer { m in
                for i in 0..<m.count {
                    o[2 * i] *= m[i]
                    o[2 * i + 1] *= m[i]
                }
            }
        }
        return ComplexSpectrogram(frameCount: frameCount, binCount: binCount, values: out)
    }
}

/// The STFT conventions of the separation recipe (reference SEPARATION.md, as librosa's
/// `stft(center=True)`/`istft`): periodic Hann window of length n, hop n/4, the signal zero-padded
/// by n/2 on both sides so frame t is centred on sample t·hop, one-sided spectrum of n/2 + 1 bins,
/// `1 + len / hop` frames. The inverse overlap-adds windowed inverse FFTs and divides by the
/// overlap-added squared window (never zero at hop n/4), so masks that sum to one give back the
/// signal. FFTW single-precision plans are made once and shared between threads.
public final class ShortTimeFourierTransform: Sendable {
    public let size: Int
    public var hop: Int { size / 4 }
    public var binCount: Int { size / 2 + 1 }
    let window: [Float]
    let forwardFFT: RealFFT
    let inverseFFT: InverseRealFFT

    public init(size: Int) {
        precondition(size >= 8 && size % 4 == 0, "STFT size must be a positive multiple of 4")
        self.size = size
        self.window = (0..<size).map { Float(0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(size))) }
        self.forwardFFT = RealFFT(size: size)
        self.inverseFFT = InverseRealFFT(size: size)
    }

    public func frameCount(forLength length: Int) -> Int { 1 + length / hop }

    public func forward(_ signal: [Float]) -> ComplexSpectrogram {
        let frames = frameCount(forLength: signal.count)
        let bins = binCount
        let n = size
        let half = size / 2
        var out = [Float](repeating: 0, count: 2 * frames * bins)
        let buffers = forwardFFT.makeBuffers()
        signal.withUnsafeBufferPointer { x in
            window.withUnsafeBufferPointer { w in
                out.withUnsafeMutableBufferPointer { o in
                    let input = buffers.real
                    let spectrum = buffers.interleavedComplex
                    for t in 0..<frames {
                        let start = t * hop - half  // in the unpadded signal
                        for i in 0..<n {
                            let j = start + i
                            input[i] = (j >= 0 && j < x.count) ? x[j] * w[i] : 0
                        }
                        forwardFFT.forward(buffers)
                        for k in 0..<(2 * bins) { o[2 * t * bins + k] = spectrum[k] }
                    }
                }
            }
        }
        return ComplexSpectrogram(frameCount: frames, binCount: bins, values: out)
    }

    /// The signal of `length` samples whose STFT is (closest to) `spectrogram`.
    public func inverse(_ spectrogram: ComplexSpectrogram, length: Int) -> [Float] {
        precondition(spectrogram.binCount == binCount, "spectrogram has \(spectrogram.binCount) bins, STFT needs \(binCount)")
        let frames = spectrogram.frameCount
        let bins = binCount
        let n = size
        let half = size / 2
        let total = (frames - 1) * hop + n
        var sum = [Float](repeating: 0, count: total)
        var norm = [Float](repeating: 0, count: total)
        let buffers = inverseFFT.makeBuffers()
        let scale = 1 / Float(n)  // FFTW's inverse is unnormalised
        spectrogram.values.withUnsafeBufferPointer { v in
            window.withUnsafeBufferPointer { w in
                sum.withUnsafeMutableBufferPointer { s in
                    norm.withUnsafeMutableBufferPointer { z in
                        let spectrum = buffers.interleavedComplex
                        let output = buffers.real
                        for t in 0..<frames {
                            for k in 0..<(2 * bins) { spectrum[k] = v[2 * t * bins + k] }
                            inverseFFT.inverse(buffers)
                            let start = t * hop
                            for i in 0..<n {
                                s[start + i] += output[i] * scale * w[i]
                                z[start + i] += w[i] * w[i]
                            }
                        }
                    }
                }
            }
        }
        return [Float](unsafeUninitializedCapacity: length) { out, count in
            for i in 0..<length {
                let j = i + half
                out[i] = j < total && norm[j] > 1e-10 ? sum[j] / norm[j] : 0
            }
            count = length
        }
    }
}

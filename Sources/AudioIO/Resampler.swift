import CSoxr

/// Sample-rate conversion with libsoxr, as librosa ≥ 0.10 (`res_type='soxr_hq'`) and python-soxr's
/// `soxr.resample(x, in, out, quality='HQ')` do: one-shot, float32 in and out, output length
/// `ceil(n · out / in)`.
public struct Resampler: Sendable {
    /// libsoxr quality recipes.
    public enum Quality: Sendable {
        case high, veryHigh
        var recipe: UInt { self == .high ? UInt(SOXR_HQ) : UInt(SOXR_VHQ) }
    }

    public var quality: Quality

    public init(quality: Quality = .high) { self.quality = quality }

    /// Resamples mono float32 samples; returns the input unchanged when the rates agree.
    public func resample(_ input: [Float], from inputRate: Int, to outputRate: Int, path: String = "<memory>") throws(AudioError)
        -> [Float]
    {
        guard inputRate != outputRate else { return input }
        guard !input.isEmpty else { return [] }
        guard inputRate > 0, outputRate > 0 else {
            throw .resampling(path: path, reason: "rates \(inputRate) → \(outputRate) Hz are not positive")
        }
        let (scaled, overflow) = input.count.multipliedReportingOverflow(by: outputRate)
        guard !overflow, scaled <= Int.max - inputRate else {
            throw .resampling(path: path, reason: "\(input.count) samples at \(inputRate) → \(outputRate) Hz is too many")
        }
        let outputLength = (scaled + inputRate - 1) / inputRate
        var output = [Float](repeating: 0, count: outputLength)
        var ioSpec = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I)
        var qualitySpec = soxr_quality_spec(quality.recipe, 0)
        var done = 0
        let error: soxr_error_t? = input.withUnsafeBufferPointer { inBuf in
            output.withUnsafeMutableBufferPointer { outBuf in
                soxr_oneshot(
                    Double(inputRate), Double(outputRate), 1,
                    inBuf.baseAddress, input.count, nil,
                    outBuf.baseAddress, outputLength, &done,
                    &ioSpec, &qualitySpec, nil)
            }
        }
        if let error { throw .resampling(path: path, reason: String(cString: error)) }
        if done < outputLength { output.removeLast(outputLength - done) }
        return output
    }
}

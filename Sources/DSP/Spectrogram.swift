/// A bands × frames float32 matrix, row-major (row = band, low to high), as madmom's `.spec.T`.
public struct Spectrogram: Sendable, Equatable {
    public let bandCount: Int
    public let frameCount: Int
    public var values: [Float]

    public init(bandCount: Int, frameCount: Int, values: [Float]) {
        precondition(values.count == bandCount * frameCount, "values do not fill \(bandCount) × \(frameCount)")
        self.bandCount = bandCount
        self.frameCount = frameCount
        self.values = values
    }

    @inlinable public subscript(band: Int, frame: Int) -> Float { values[band * frameCount + frame] }

    /// The model input of `length` columns (default 1252) starting at frame `start`, using the
    /// reference `slice_func(..., padding='loop')`: column j copies frame (start + j) mod T when the
    /// spectrogram is shorter than `length`; otherwise columns `start ..< start + length`.
    public func modelInput(length: Int = SpectrogramConfig.paper.modelInputFrames, start: Int = 0) -> Spectrogram {
        let index = ModelInputSlice.frameIndices(frameCount: frameCount, length: length, start: start)
        var out = [Float](repeating: 0, count: bandCount * length)
        for b in 0..<bandCount {
            let row = b * frameCount
            for (j, t) in index.enumerated() { out[b * length + j] = values[row + t] }
        }
        return Spectrogram(bandCount: bandCount, frameCount: length, values: out)
    }
}

/// The crop/loop rule of the reference `slice_func(spec, 1252, mode='random', padding='loop')`.
public enum ModelInputSlice {
    /// Which spectrogram frame each model-input column copies. With fewer than `length` frames the
    /// spectrogram is looped (column j is frame j mod T) and the start is necessarily 0; otherwise
    /// the window `start ..< start + length` is taken (the reference draws `start` at random;
    /// stemtrace makes it an explicit, recorded choice).
    public static func frameIndices(frameCount: Int, length: Int, start: Int = 0) -> [Int] {
        precondition(frameCount > 0, "cannot slice an empty spectrogram")
        if frameCount <= length { return (0..<length).map { $0 % frameCount } }
        let s = min(max(start, 0), frameCount - length)
        return Array(s..<(s + length))
    }
}

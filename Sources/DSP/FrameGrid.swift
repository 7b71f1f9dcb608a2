/// Frame positions of madmom's `FramedSignal` with `origin='future'` and `end='normal'`:
/// `T = ceil(N / hop)` in binary64, and frame `i` covers samples `floor(i * hop) ..< floor(i * hop) + frameSize`
/// of the (trimmed) signal; samples at or past `N` read as zero.
public struct FrameGrid: Sendable, Equatable {
    public let sampleCount: Int
    public let hop: Double

    public init(sampleCount: Int, hop: Double) {
        self.sampleCount = sampleCount
        self.hop = hop
    }

    /// Number of frames, `ceil(N / hop)` in binary64 (madmom truncates nothing at the end).
    public var frameCount: Int { sampleCount == 0 ? 0 : Int((Double(sampleCount) / hop).rounded(.up)) }

    /// First sample of frame `i`: `int(i * hop)` (truncation, although madmom's docstring says rounding).
    @inline(__always)
    public func start(ofFrame i: Int) -> Int { Int(Double(i) * hop) }
}

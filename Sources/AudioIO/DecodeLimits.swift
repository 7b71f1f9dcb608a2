/// Bounds on the work one audio file may cause, checked from its header before samples are
/// read and again while reading (a header may lie), so that one hostile or broken file can never
/// exhaust memory or stop a corpus run. A file outside them is refused with a reason naming the
/// limit.
///
/// - `minSampleRate` 1 000 Hz: below it a file is not music (a WAV declaring 1 Hz makes 800 KB of
///   samples resample to 17.6 GB at 22 050 Hz).
/// - `maxSampleRate` 384 000 Hz: the highest rate audio interfaces record.
/// - `maxChannels` 64.
/// - `maxDuration` 3 hours (`ingest --max-duration`).
public struct DecodeLimits: Sendable, Codable, Equatable {
    public var minSampleRate = 1_000
    public var maxSampleRate = 384_000
    public var maxChannels = 64
    /// Seconds.
    public var maxDuration: Double = 3 * 3600

    public init() {}

    public init(maxDuration: Double) { self.maxDuration = maxDuration }

    /// The defaults listed above.
    public static let standard = DecodeLimits()

    /// The most frames a file at `sampleRate` may hold.
    public func maxFrames(sampleRate: Int) -> Int64 { Int64((maxDuration * Double(sampleRate)).rounded(.down)) }
}

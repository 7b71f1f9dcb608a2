/// Parameters of the log-filtered spectrogram, as the paper's `MadmomAudioProcessor(fps=31.3)`
/// configures madmom 0.16.1 (see docs/ARCHITECTURE.md):
/// 22 050 Hz, 2048-sample frames, 31.3 frames/s (fractional hop), 24 bands per octave from
/// 20 Hz to 16 kHz around 440 Hz, area-normalised unique filters, log10(1 + x).
public struct SpectrogramConfig: Sendable, Hashable, Codable {
    public var sampleRate: Int = 22050
    public var frameSize: Int = 2048
    public var framesPerSecond: Double = 31.3
    public var bandsPerOctave: Int = 24
    public var minFrequency: Double = 20
    public var maxFrequency: Double = 16000
    public var referenceFrequency: Double = 440
    /// Width of the model input in frames: `floor(40 * 22050 / (22050 // 31.3))` = 1252
    /// (madmom's `times_to_frames` uses the integer hop 704, not 704.47).
    public var modelInputFrames: Int = 1252

    public init() {}

    /// The paper's configuration.
    public static let paper = SpectrogramConfig()

    /// The fractional hop in samples, computed in binary64 as madmom does
    /// (22050 / 31.3 = 704.4728434504792). A float32 hop gives wrong frame starts from frame 313.
    public var hopSize: Double { Double(sampleRate) / framesPerSecond }

    /// Number of FFT bins kept: DC up to one below Nyquist (madmom drops the Nyquist bin).
    public var binCount: Int { frameSize / 2 }
}

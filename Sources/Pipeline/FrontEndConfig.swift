import Core
import DSP
import Store

/// Everything that determines the stored excerpt and its spectrogram: the analysis rate, the
/// resampler, the excerpt length and policy, and the spectrogram parameters. Its `hash` is the
/// `config_hash` stored with every excerpt and array (madmom-style: parameters fully determine
/// the output, so equal hashes mean equal results and re-runs are idempotent).
public struct FrontEndConfig: Sendable, Hashable, Codable {
    public var spectrogram = SpectrogramConfig.paper
    public var excerptSeconds: Double = 40
    public var excerptPolicy: ExcerptPolicy = .middle
    /// libsoxr recipe used for resampling; "HQ" matches librosa's default `soxr_hq`.
    public var resampler = "soxr-HQ"
    public var downmix = "channel-mean"

    public init(excerptPolicy: ExcerptPolicy = .middle) { self.excerptPolicy = excerptPolicy }

    public var sampleRate: Int { spectrogram.sampleRate }
    public var excerptSamples: Int { Int((excerptSeconds * Double(sampleRate)).rounded()) }
    public var hash: String { ContentHash.of(configuration: self) }
}

/// What happens to a signal before it is framed, for the log-filtered spectrogram.
///
/// - `paper`: madmom's processor as the paper ran it: divide by the float32 peak, then trim exact
///   leading and trailing zeros (`np.trim_zeros`), so the frame grid starts at the first non-zero
///   sample and the frame count follows the trimmed length.
/// - `normalized`: divide by the peak but keep every sample, so all signals of one length share
///   one frame grid (the default for perturbation composition).
/// - `raw`: neither normalised nor trimmed.
///
/// An all-zero signal gives an all-zero spectrogram of `ceil(N / hop)` frames in every mode
/// (madmom returns NaN there).
public enum SignalConditioning: String, Sendable, Hashable, Codable, CaseIterable {
    case normalized
    case paper
    case raw

    /// Whether the signal is divided by its peak.
    public var normalises: Bool { self != .raw }
}

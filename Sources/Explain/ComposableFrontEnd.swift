import DSP

/// A front end whose first stage is a linear short-time Fourier transform, so the features of a
/// sum of components can be formed from the components' cached spectra (`PerturbationComposer`).
///
/// The composer sums `spectra` of the selected components in float64, then calls `features`
/// with the sum and the conditioning's scale (1 / peak of the summed waveform, or 1).
public protocol ComposableFrontEnd: Sendable {
    /// What the model reads: a log spectrogram of one perturbation.
    associatedtype Features: Sendable
    /// Names the front end and its settings in explanation configurations.
    var name: String { get }
    /// The conditioning used when none is asked for (the one the model was trained with).
    var defaultConditioning: SignalConditioning { get }
    /// Sample rate the components must be at.
    var sampleRate: Int { get }
    /// Complex bins per frame (interleaved re/im in `spectra`).
    var binCount: Int { get }
    /// Whether madmom-style zero trimming (`SignalConditioning.paper`) is defined for this front end.
    var supportsTrimming: Bool { get }
    /// Frames of a signal of `sampleCount` samples (after trimming, when trimming applies).
    func frameCount(sampleCount: Int) -> Int
    /// The frames, on the grid starting at `offset`, that can see a component whose non-zero
    /// samples lie in `support` (the others are zero), among `frameCount` frames.
    func frames(touching support: ClosedRange<Int>, offset: Int, frameCount: Int, sampleCount: Int) -> Range<Int>
    /// Complex spectra (re, im interleaved, frame-major) of `frames` of the grid starting at `offset`.
    func spectra(of signal: UnsafeBufferPointer<Float>, offset: Int, frames: Range<Int>) -> [Double]
    /// The features of `frameCount` summed frames, each value of the spectra multiplied by `scale`.
    func features(spectra: UnsafePointer<Double>, frameCount: Int, scale: Double) -> Features
    /// The features of an all-zero signal of `sampleCount` samples.
    func silence(sampleCount: Int) -> Features
}

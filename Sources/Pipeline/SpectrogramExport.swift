import AudioIO
import Core
import DSP
import Foundation
import Inference
import Store

/// `stemtrace spectrogram`: the front end for one file, written as safetensors with a single
/// float32 tensor `spectrogram` of shape bands × frames, so users can compare it with their own
/// Python pipeline (`safetensors.numpy.load_file(path)["spectrogram"]`).
public enum SpectrogramExport {
    public struct Result: Sendable {
        public var bands: Int
        public var frames: Int
        public var excerpt: Excerpt?
    }

    /// Computes the spectrogram of the whole signal (`full`) or of the 40-s excerpt.
    public static func run(audio: URL, output: URL, full: Bool, config: FrontEndConfig = FrontEndConfig()) throws -> Result {
        let track = try PreparedTrack.load(path: audio.path, sampleRate: config.sampleRate)
        var signal = track.mono
        var excerpt: Excerpt?
        if !full {
            let chosen = Excerpt.choose(
                total: signal.count, length: config.excerptSamples, sampleRate: config.sampleRate,
                policy: config.excerptPolicy)
            signal = Array(signal[chosen.range])
            excerpt = chosen
        }
        let spec = try LogFilteredSpectrogram(config: config.spectrogram).compute(signal)
        var metadata = [
            "source": audio.path, "track_id": track.contentHash, "config_hash": config.hash,
            "layout": "bands x frames", "producer": "stemtrace",
        ]
        if let excerpt {
            metadata["excerpt_policy"] = excerpt.policy.description
            metadata["excerpt_start_sample"] = String(excerpt.startSample)
            metadata["excerpt_samples"] = String(excerpt.sampleCount)
            metadata["excerpt_looped"] = String(excerpt.looped)
        }
        try Safetensors.write(
            floats: spec.values, shape: [spec.bandCount, spec.frameCount], name: "spectrogram", metadata: metadata, to: output)
        return Result(bands: spec.bandCount, frames: spec.frameCount, excerpt: excerpt)
    }
}

import AudioIO
import Core
import Explain
import Foundation
import Separation
import Store

/// `stemtrace explain listen`: listenable evidence for one stored explanation — the excerpt as
/// stored, each stem, and the sum of the components with the largest positive weights (what the
/// explanation says drives the target) — as float WAV files, plus `explanation.json` with the
/// weights, so a researcher can hear what the numbers claim. Float WAV by default; the report
/// uses Ogg Vorbis.
public enum ExplanationAudio {
    public struct Written: Sendable {
        public var directory: URL
        public var files: [String]
        public var explanationId: Int64
        public var configId: String
        public var topComponents: [String]
    }

    /// - Parameters:
    ///   - track: a track id or an unambiguous prefix of one.
    ///   - config: an explanation config id (or prefix); nil takes the newest explanation of the target.
    ///   - top: how many positive components go into the sum.
    public static func write(
        store url: URL, track: String, target: String, config: String? = nil, top: Int = 3, to output: URL,
        format: AudioWriter.Format = .wavFloat
    ) throws -> Written {
        try write(
            store: try Store.open(at: url), track: track, target: target, config: config, top: top, to: output, format: format)
    }

    /// The same for an open store (the report writes many tracks from one).
    public static func write(
        store: Store, track: String, target: String, config: String? = nil, top: Int = 3, to output: URL,
        format: AudioWriter.Format = .wavFloat
    ) throws -> Written {
        let url = store.root
        let rows = try store.catalog.explanations(trackPrefix: track, target: target, configPrefix: config ?? "")
        if Set(rows.map(\.trackId)).count > 1 {
            throw PipelineError.invalidOption("track id prefix '\(track)' matches several tracks; give more characters")
        }
        guard let explanation = rows.first, let id = explanation.id,
            let cfg = try store.catalog.explanationConfig(id: explanation.configId)
        else {
            throw PipelineError.invalidOption(
                "\(url.path): no explanation of '\(target)' for track '\(track)'"
                    + (config.map { " with config \($0)" } ?? "") + "; run stemtrace explain first")
        }
        let weights = try store.catalog.explanationWeights(explanations: [id])
        let arrays = try store.catalog.arrays(excerpt: explanation.excerptId)
        let stems = arrays.filter { $0.kind == "stem" && $0.producer == cfg.separatorId }
        guard !stems.isEmpty else {
            throw PipelineError.invalidOption("\(url.path): the stems of \(cfg.separatorId) for this excerpt are missing")
        }
        var named: [(name: String, samples: [Float])] = []
        for s in stems {
            // Stem names become file names: a catalog is input too, so the rule is checked here as well.
            guard StemName.isValid(s.name) else { throw PipelineError.invalidOption("\(url.path): \(StemName.rule(s.name))") }
            named.append((s.name, try store.read(s).floats()))
        }
        let components = try ExplanationComponents(stems: named, segments: cfg.segments)
        let sampleRate = 22050

        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        var files: [String] = []
        let ext = format == .oggVorbis ? "ogg" : format == .flac16 ? "flac" : "wav"
        func wav(_ name: String, _ samples: [Float]) throws {
            let file = "\(name).\(ext)"
            // Lossy and 16-bit formats clip at ±1: those get the sum scaled down when it would.
            let peak = samples.reduce(Float(0)) { max($0, abs($1)) }
            let scaled = format != .wavFloat && peak > 1 ? samples.map { $0 / peak } : samples
            try AudioWriter.write(
                scaled, channels: 1, sampleRate: sampleRate, format: format, to: output.appendingPathComponent(file).path)
            files.append(file)
        }
        if let mix = arrays.first(where: { $0.kind == "mix" }) { try wav("excerpt", try store.read(mix).floats()) }
        for stem in named { try wav("stem-\(stem.name)", stem.samples) }
        let positive = weights.filter { $0.weight > 0 }.prefix(max(1, top))
        var pattern: UInt64 = 0
        for w in positive { pattern |= 1 << UInt64(w.component) }
        let chosenNames = positive.map(\.name)
        if pattern != 0 { try wav("top-components", components.sum(of: pattern)) }

        let summary: [String: String] = [
            "track": explanation.trackId, "target": target, "config": cfg.id, "separator": cfg.separatorId,
            "prediction": String(explanation.prediction), "fidelity": String(explanation.fidelity),
            "top_components": chosenNames.joined(separator: ","),
            "weights": weights.map { "\($0.name)=\($0.weight)" }.joined(separator: ","),
        ]
        try Data(CanonicalJSON.string(summary).utf8).write(to: output.appendingPathComponent("explanation.json"))
        files.append("explanation.json")
        return Written(
            directory: output, files: files, explanationId: explanation.id ?? 0, configId: cfg.id, topComponents: chosenNames)
    }
}

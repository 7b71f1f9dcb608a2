import Foundation
import Store

/// One track's explanations as the paper reads them (`stemtrace explain show`): per emotion
/// output, the concept with the largest effect and the sources that explain that concept
/// (positive weights, strongest first); then every explained target with its fidelity and top source.
public struct ExplanationSummary: Sendable {
    public struct Chain: Sendable, Equatable {
        public var output: String
        public var concept: String
        public var effect: Double
        public var relativeEffect: Double
        public var sources: [(name: String, weight: Double)]

        public static func == (a: Chain, b: Chain) -> Bool {
            a.output == b.output && a.concept == b.concept && a.effect == b.effect
                && a.sources.map(\.name) == b.sources.map(\.name) && a.sources.map(\.weight) == b.sources.map(\.weight)
        }
    }

    public struct Target: Sendable, Equatable {
        public var name: String
        public var prediction: Double
        public var fidelity: Double
        public var complexity: Double?
        public var weights: [String: Double]
        public var top: String?
    }

    public var trackId: String
    public var configId: String
    /// The explained model: readable name, id, and whether it is a demonstration model.
    public var model: ModelLabel?
    public var chains: [Chain]
    public var targets: [Target]

    /// The newest config's explanations of a track (id or unambiguous prefix), or of `config`.
    public static func load(store url: URL, track: String, config: String? = nil) throws -> ExplanationSummary {
        let store = try Store.open(at: url)
        let rows = try store.catalog.explanations(trackPrefix: track, configPrefix: config ?? "")
        guard let newest = rows.first else {
            throw PipelineError.invalidOption(
                "\(url.path): no explanations for track '\(track)'" + (config.map { " with config \($0)" } ?? "")
                    + "; run stemtrace explain first")
        }
        if Set(rows.map(\.trackId)).count > 1 {
            throw PipelineError.invalidOption("track id prefix '\(track)' matches several tracks; give more characters")
        }
        let mine = rows.filter { $0.configId == newest.configId && $0.excerptId == newest.excerptId }
        let byExplanation = Dictionary(
            grouping: try store.catalog.explanationWeights(explanations: mine.compactMap(\.id)), by: \.explanationId)
        let chainRows = try store.catalog.explanationChains(config: newest.configId, excerpt: newest.excerptId)
        let targets = mine.sorted { ($0.targetKind, $0.target) < ($1.targetKind, $1.target) }.map { e in
            let w = byExplanation[e.id ?? -1] ?? []
            return Target(
                name: e.target, prediction: e.prediction, fidelity: e.fidelity, complexity: e.complexity,
                weights: Dictionary(w.map { ($0.name, $0.weight) }) { a, _ in a },
                top: e.topComponent.flatMap { c in w.first { $0.component == c }?.name })
        }
        let chains = chainRows.map { c -> Chain in
            let concept = mine.first { $0.target == c.concept }
            let w = (concept?.id).flatMap { byExplanation[$0] } ?? []
            return Chain(
                output: c.output, concept: c.concept, effect: c.effect, relativeEffect: c.relativeEffect,
                sources: w.filter { $0.weight > 0 }.map { ($0.name, $0.weight) })
        }
        let model = try store.catalog.explanationConfig(id: newest.configId).flatMap { try store.catalog.model(id: $0.modelId) }
        return ExplanationSummary(
            trackId: newest.trackId, configId: newest.configId, model: model.map(ModelLabel.init), chains: chains,
            targets: targets)
    }

    /// Human-readable lines for the terminal.
    public func lines() -> [String] {
        var out = ["track \(trackId), config \(configId)"]
        if let model { out.append("model \(model.text)") }
        for c in chains {
            let sources = c.sources.map { "\($0.name) (\(String(format: "%+.3f", $0.weight)))" }
            out.append(
                "\(c.output) ← \(c.concept) (effect \(String(format: "%+.3f", c.effect)), relative \(String(format: "%+.2f", c.relativeEffect))) ← "
                    + (sources.isEmpty ? "no source with a positive weight" : sources.joined(separator: ", ")))
        }
        for t in targets {
            out.append(
                "  \(t.name): prediction \(String(format: "%.3f", t.prediction)), fidelity \(String(format: "%.3f", t.fidelity)), "
                    + "top source \(t.top ?? "none")")
        }
        return out
    }
}

import AudioIO
import DSP
import Explain
import Foundation
import GRDB
import Inference
import Models
import Separation
import Store
import TestSupport
import Testing

@testable import Pipeline

/// A model with known causes: concept `low` is the mean of the lowest quarter of the bands,
/// `high` the mean of the highest quarter, and the output `arousal` = 0.5·low + 2·high. A stem
/// that holds only low (high) frequencies must come out as the top source of `low` (`high`).
actor CallCounter {
    var inputs = 0
    var zeroInputs = 0
    func add(_ specs: [Spectrogram]) {
        inputs += specs.count
        zeroInputs += specs.filter { $0.values.allSatisfy { $0 == 0 } }.count
    }
}

struct BandEnergyModel: PerturbationModel {
    let counter = CallCounter()
    let frontEnd = LogFilteredSpectrogram()
    var id: String { "test:band-energy" }
    var targets: [ExplainTarget] {
        [.init(name: "low", kind: .concept), .init(name: "high", kind: .concept), .init(name: "arousal", kind: .output)]
    }
    var conceptToOutputWeights: [Float]? { [0.5, 2] }

    static func evaluate(_ spec: Spectrogram) -> [Float] {
        let quarter = spec.bandCount / 4
        func mean(_ bands: Range<Int>) -> Float {
            var sum: Float = 0
            for b in bands { for t in 0..<spec.frameCount { sum += spec[b, t] } }
            return sum / Float(bands.count * spec.frameCount)
        }
        let low = mean(0..<quarter)
        let high = mean((spec.bandCount - quarter)..<spec.bandCount)
        return [low, high, 0.5 * low + 2 * high]
    }

    func predict(_ inputs: [Spectrogram], threads: Int) async throws -> [Float] {
        await counter.add(inputs)
        return inputs.flatMap(Self.evaluate)
    }
}

@Suite struct ExplainStageTests {
    let root: URL
    let storeURL: URL
    static let stemNames = ["bass", "hats", "keys", "silent"]

    /// Two pieces with imported stems: bass (60 + 110 Hz), hats (7 + 9.5 kHz), keys (1 kHz), and a silent stem.
    init() async throws {
        root = try Fixtures.temporaryDirectory("explain")
        storeURL = root.appendingPathComponent("store")
        let dataset = root.appendingPathComponent("pieces")
        for (p, name) in ["one", "two"].enumerated() {
            func sines(_ frequencies: [Double], _ gain: Double) -> [Float] {
                TestAudio.sines(frequencies, gain: gain, seconds: 4, phase: Double(p))
            }
            let stems = [
                sines([60, 110], 0.3), sines([7000, 9500], 0.1), sines([1000], 0.2), [Float](repeating: 0, count: 4 * 22050),
            ]
            try TestAudio.writePiece(
                dataset.appendingPathComponent(name), stems: Array(zip(Self.stemNames, stems)).map { (name: $0, signal: $1) })
        }
        var options = IngestOptions(corpus: dataset, store: storeURL)
        options.mixturesOnly = true
        let ingest = try await IngestStage(options: options, separator: ImportedStemsSeparator()).run(progressMode: .silent)
        #expect(ingest.counts.succeeded == 2)
    }

    func explain(_ model: BandEnergyModel, _ configure: (inout ExplainSettings) -> Void = { _ in }) async throws
        -> ExplainStage.Summary
    {
        var settings = ExplainSettings()
        configure(&settings)
        return try await ExplainStage(store: storeURL, model: model, settings: settings).run(progressMode: .silent)
    }

    @Test func knownCausesComeOutOnTopAndEverythingIsStored() async throws {
        let model = BandEnergyModel()
        let summary = try await explain(model)
        #expect(summary.explained == 2 && summary.failures.isEmpty)
        // 16 masks per excerpt; the silent stem makes 7 distinct audible non-empty sums; the empty one runs once.
        #expect(summary.modelInputs == 14)
        #expect(await model.counter.inputs == 15)
        #expect(await model.counter.zeroInputs == 1)

        let store = try Store.open(at: storeURL)
        let (explanations, weights, chains) = try store.catalog.read { db in
            (
                try ExplanationRecord.fetchAll(db), try ExplanationWeightRecord.fetchAll(db),
                try ExplanationChainRecord.fetchAll(db)
            )
        }
        #expect(explanations.count == 6 && weights.count == 24 && chains.count == 2)
        for e in explanations {
            let w = weights.filter { $0.explanationId == e.id }.sorted { $0.rank < $1.rank }
            #expect(Set(w.map(\.source)) == Set(Self.stemNames))
            #expect(w.map(\.weight) == w.map(\.weight).sorted(by: >), "ranks follow the signed weight")
            #expect(e.fidelity > 0.5, "\(e.target): fidelity \(e.fidelity)")
            switch e.target {
            case "low": #expect(w.first?.source == "bass")
            case "high": #expect(w.first?.source == "hats")
            default: #expect(e.targetKind == "output")
            }
            #expect(e.topComponent.map { Self.stemNames[$0] } == w.first { $0.weight > 0 }?.source)
        }
        // The stored masks and predictions reproduce the stored weights through LIME.
        let arrayId = try #require(explanations.first?.predictionsArray)
        let array = try #require(try store.catalog.read { db in try ArrayRecord.fetchOne(db, key: arrayId) })
        let table = try store.read(array)
        #expect(table.shape == [16, 4 + 3])
        let values = try table.floats()
        #expect(values[0..<4].allSatisfy { $0 == 1 })
        let bits: [UInt8] = (0..<16).flatMap { r in (0..<4).map { UInt8(values[r * 7 + $0]) } }
        let masks = MaskSet(componentCount: 4, rowCount: 16, bits: bits)
        #expect(masks == MaskSet.exhaustive(componentCount: 4))
        let labels: [Float] = (0..<16).flatMap { r in (4..<7).map { values[r * 7 + $0] } }
        let lime = try LimeRegression.explain(masks: masks, labels: labels, targetCount: 3)
        for (t, name) in ["low", "high", "arousal"].enumerated() {
            let e = try #require(explanations.first { $0.target == name && $0.predictionsArray == arrayId })
            #expect(abs(e.intercept - lime.targets[t].intercept) < 1e-12)
            #expect(e.prediction == Double(labels[t]))
            let stored = weights.filter { $0.explanationId == e.id }.sorted { $0.component < $1.component }.map(\.weight)
            #expect(stored == lime.targets[t].coefficients)
        }
        // The chain: arousal's concept is the one with the larger |weight × value| at the all-ones mask.
        let chain = try #require(chains.first { $0.excerptId == array.excerptId })
        let expected = abs(0.5 * labels[0]) >= abs(2 * labels[1]) ? "low" : "high"
        #expect(chain.output == "arousal" && chain.concept == expected)
        let baseline = try store.catalog.read { db in try ComplexityBaselineRecord.fetchOne(db, key: 4) }
        #expect(baseline.map { abs($0.mean - 1.214) < 0.03 } == true)
    }

    @Test func rerunsSkipAndOtherSettingsAddRows() async throws {
        _ = try await explain(BandEnergyModel()) { $0.targets = .midlevel }
        let again = try await explain(BandEnergyModel()) { $0.targets = .midlevel }
        #expect(again.explained == 0 && again.skipped == 2)
        let emotion = try await explain(BandEnergyModel()) { $0.targets = .emotion }
        #expect(emotion.explained == 2 && emotion.configId == again.configId, "targets are not part of the config")
        let paper = try await explain(BandEnergyModel()) { $0.composition = .paper }
        #expect(paper.explained == 2 && paper.configId != again.configId)
        let segmented = try await explain(BandEnergyModel()) {
            $0.segments = 2
            $0.targets = .midlevel
        }
        #expect(segmented.explained == 2)
        let store = try Store.open(at: storeURL)
        let counts = try store.catalog.read { db in
            try Int.fetchAll(db, sql: "SELECT COUNT(*) FROM explanations GROUP BY config_id ORDER BY config_id")
        }
        #expect(counts.sorted() == [4, 6, 6])
        let names = try store.catalog.read { db in
            try String.fetchAll(
                db,
                sql:
                    "SELECT DISTINCT name FROM explanation_weights JOIN explanations e ON e.id = explanation_id WHERE e.config_id = ?",
                arguments: [segmented.configId])
        }
        let segmentNames: [String] = Self.stemNames.flatMap { name -> [String] in [name + "0", name + "1"] }
        #expect(Set(names) == Set(segmentNames))
    }

    @Test func aBrokenExcerptIsRecordedAndTheOthersAreExplained() async throws {
        let store = try Store.open(at: storeURL)
        let stem = try #require(try store.catalog.arrays(kind: "stem").first { $0.name == "bass" })
        let shard = store.shardDirectory.appendingPathComponent(String(format: "%06d.shard", stem.shard))
        let handle = try FileHandle(forUpdating: shard)
        try handle.seek(toOffset: UInt64(stem.offset) + UInt64(stem.length) / 2)
        let byte = try #require(try handle.read(upToCount: 1)).first ?? 0
        try handle.seek(toOffset: UInt64(stem.offset) + UInt64(stem.length) / 2)
        try handle.write(contentsOf: Data([byte ^ 0xFF]))
        try handle.close()

        let summary = try await explain(BandEnergyModel())
        #expect(summary.explained == 1 && summary.failures.count == 1)
        #expect(summary.failures.first?.track.hasSuffix("mixture.wav") == true)
        let recorded = try store.catalog.read { db in try RunFailureRecord.fetchAll(db) }
        #expect(recorded.contains { $0.runId == summary.runId && $0.path.hasSuffix("mixture.wav") })
    }

    @Test func showReadsTheChainAndTheSourcesOfItsConcept() async throws {
        _ = try await explain(BandEnergyModel())
        let store = try Store.open(at: storeURL)
        let track = try #require(try store.catalog.arrays(kind: "mix").first?.trackId)
        let summary = try ExplanationSummary.load(store: storeURL, track: String(track.prefix(6)))
        #expect(summary.trackId == track)
        #expect(summary.targets.map(\.name) == ["high", "low", "arousal"], "concepts first, then outputs")
        let chain = try #require(summary.chains.first)
        #expect(chain.output == "arousal")
        let concept = try #require(summary.targets.first { $0.name == chain.concept })
        let positive = concept.weights.filter { $0.value > 0 }.sorted { $0.value > $1.value }.map(\.key)
        #expect(chain.sources.map(\.name) == positive)
        #expect(summary.lines().contains { $0.hasPrefix("arousal ← \(chain.concept)") })
    }

    @Test func listenWritesTheExcerptStemsAndTheTopComponents() async throws {
        _ = try await explain(BandEnergyModel())
        let store = try Store.open(at: storeURL)
        let track = try #require(try store.catalog.arrays(kind: "mix").first?.trackId)
        let out = root.appendingPathComponent("listen")
        let written = try ExplanationAudio.write(store: storeURL, track: String(track.prefix(8)), target: "low", top: 1, to: out)
        #expect(written.topComponents == ["bass"])
        let expectedFiles: Set<String> = ["excerpt.wav", "top-components.wav", "explanation.json"]
        #expect(Set(written.files) == expectedFiles.union(Self.stemNames.map { "stem-\($0).wav" }))
        let top = try AudioDecoder.decode(path: out.appendingPathComponent("top-components.wav").path)
        let bass = try AudioDecoder.decode(path: out.appendingPathComponent("stem-bass.wav").path)
        #expect(top.samples == bass.samples)
        #expect(throws: PipelineError.self) {
            try ExplanationAudio.write(store: storeURL, track: track, target: "nonexistent", to: out)
        }
    }
}

@Suite struct PerturbationModelTests {
    @Test func loadedModelsCarryTheirCatalogRecord() throws {
        let rf = try PerturbationModels.load(contentsOf: Fixtures.url("rfresnet/weights.safetensors"))
        #expect(rf.record?.id == rf.id && rf.record?.kind == "rfresnet" && rf.record?.frontEnd == "logfiltspec:149x1252")
        #expect(rf.targets.count == 9 && rf.conceptToOutputWeights?.count == 14)
        let url = try #require(MusicnnModel.bundledWeightsURL)
        let musicnn = try PerturbationModels.load(contentsOf: url)
        #expect(musicnn.record?.kind == "musicnn" && musicnn.targets.count == 50 && musicnn.conceptToOutputWeights == nil)
        #expect(throws: (any Error).self) { _ = try PerturbationModels.load(contentsOf: Fixtures.url("lime/manifest.json")) }
        let named = try PerturbationModels.load(contentsOf: URL(fileURLWithPath: "/nonexistent-dir/musicnn"))
        #expect(named.id == musicnn.id, "the word musicnn names the bundled weights")
    }
}

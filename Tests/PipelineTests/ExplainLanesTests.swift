import Core
import DSP
import Explain
import Foundation
import GRDB
import Models
import Separation
import Store
import TestSupport
import Testing

@testable import Pipeline

/// `BandEnergyModel` that takes longer the longer its input: with lanes, a long first excerpt
/// finishes after the short ones started beside it.
struct SlowOnLongInputsModel: PerturbationModel {
    let inner = BandEnergyModel()
    var frontEnd: LogFilteredSpectrogram { inner.frontEnd }
    var id: String { inner.id }
    var targets: [ExplainTarget] { inner.targets }
    var conceptToOutputWeights: [Float]? { inner.conceptToOutputWeights }

    func predict(_ inputs: [Spectrogram], threads: Int) async throws -> [Float] {
        let frames = inputs.map(\.frameCount).reduce(0, +)
        try await Task.sleep(for: .microseconds(20 * frames))
        return try await inner.predict(inputs, threads: threads)
    }
}

/// `BandEnergyModel` as if it ran in another process, as `--model-command` does.
struct ElsewhereModel: PerturbationModel {
    let inner = BandEnergyModel()
    var frontEnd: LogFilteredSpectrogram { inner.frontEnd }
    var id: String { "test:elsewhere" }
    var targets: [ExplainTarget] { inner.targets }
    var conceptToOutputWeights: [Float]? { inner.conceptToOutputWeights }
    var computesInProcess: Bool { false }

    func predict(_ inputs: [Spectrogram], threads: Int) async throws -> [Float] {
        try await inner.predict(inputs, threads: threads)
    }
}

/// `explain --lanes`: excerpts explained at once must store what one lane stores, in its order.
@Suite struct ExplainLanesTests {
    /// Three pieces of 6, 3 and 1.5 s (the longest explained first), each with two stems.
    static func ingestedStore(_ name: String) async throws -> URL {
        let root = try Fixtures.temporaryDirectory(name)
        let dataset = root.appendingPathComponent("pieces")
        for (p, seconds) in [6.0, 3.0, 1.5].enumerated() {
            let low = TestAudio.sines([80 + 10 * Double(p)], gain: 0.3, seconds: seconds, phase: Double(p))
            let high = TestAudio.sines([6000], gain: 0.1, seconds: seconds, phase: 0)
            try TestAudio.writePiece(
                dataset.appendingPathComponent("piece\(p)"), stems: [(name: "low", signal: low), (name: "high", signal: high)])
        }
        let store = root.appendingPathComponent("store")
        var options = IngestOptions(corpus: dataset, store: store)
        options.mixturesOnly = true
        let ingest = try await IngestStage(options: options, separator: ImportedStemsSeparator()).run(progressMode: .silent)
        #expect(ingest.counts.succeeded == 3)
        return store
    }

    /// Every stored explanation value, weight and masks-and-predictions array, with row ids and
    /// shard places, in id order.
    static func contents(of url: URL) throws -> [String] {
        let store = try Store.open(at: url)
        return try store.catalog.read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT e.id || ' ' || e.excerpt_id || ' ' || e.target || ' ' || quote(e.prediction) || ' '
                        || quote(e.intercept) || ' ' || quote(e.fidelity) || ' ' || w.component || ' ' || quote(w.weight)
                    FROM explanations e JOIN explanation_weights w ON w.explanation_id = e.id ORDER BY e.id, w.component
                    """)
                + String.fetchAll(
                    db,
                    sql: """
                        SELECT id || ' ' || excerpt_id || ' ' || checksum || ' ' || shard || ' ' || offset || ' ' || length
                        FROM arrays WHERE kind = 'lime_predictions' ORDER BY id
                        """)
        }
    }

    @Test func threeLanesStoreWhatOneLaneStoresInTheSameOrder() async throws {
        // One ingest copied: two ingests may store their tracks in different orders.
        let one = try await Self.ingestedStore("lanes-one")
        let three = one.deletingLastPathComponent().appendingPathComponent("store-copy")
        try FileManager.default.copyItem(at: one, to: three)
        var settings = ExplainSettings()
        settings.lanes = 1
        let single = try await ExplainStage(store: one, model: SlowOnLongInputsModel(), settings: settings).run(
            progressMode: .silent)
        settings.lanes = 3
        let parallel = try await ExplainStage(store: three, model: SlowOnLongInputsModel(), settings: settings).run(
            progressMode: .silent)
        #expect(single.lanes == 1)
        #expect(parallel.lanes == 3)
        #expect(single.explained == 3)
        #expect(parallel.explained == 3)
        #expect(parallel.failures.isEmpty)
        #expect(single.modelInputs == parallel.modelInputs)
        let expected = try Self.contents(of: one)
        let rows = 3 * 3 * 2 + 3  // 3 excerpts × 3 targets × 2 stems, and 3 arrays
        #expect(expected.count == rows)
        #expect(try Self.contents(of: three) == expected)
        // The excerpts were written in job order although the first finished last.
        let excerpts = try Store.open(at: three).catalog.read { db in
            try Int64.fetchAll(db, sql: "SELECT excerpt_id FROM explanations ORDER BY id")
        }
        #expect(excerpts == excerpts.sorted())
    }

    @Test func theEmptyMaskRunsOnceAcrossLanes() async throws {
        let store = try await Self.ingestedStore("lanes-zero")
        let model = BandEnergyModel()
        var settings = ExplainSettings()
        settings.lanes = 3
        let summary = try await ExplainStage(store: store, model: model, settings: settings).run(progressMode: .silent)
        #expect(summary.explained == 3)
        #expect(await model.counter.zeroInputs == 1)
    }

    @Test func lanesDefaultToOnePerCoreInProcessAndOneForAModelElsewhere() async throws {
        let store = try await Self.ingestedStore("lanes-default")
        let inProcess = try await ExplainStage(store: store, model: BandEnergyModel(), settings: ExplainSettings()).run(
            progressMode: .silent)
        #expect(inProcess.lanes == min(ProcessorCount.available, 3))
        #expect(inProcess.threadsPerLane == max(1, ProcessorCount.available / inProcess.lanes))
        var settings = ExplainSettings()
        settings.targets = .midlevel
        let elsewhere = try await ExplainStage(store: store, model: ElsewhereModel(), settings: settings).run(
            progressMode: .silent)
        #expect(elsewhere.explained == 3)
        #expect(elsewhere.lanes == 1)
        #expect(elsewhere.threadsPerLane == ProcessorCount.available)
    }
}

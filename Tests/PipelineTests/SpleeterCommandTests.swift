import AudioIO
import Core
import Foundation
import GRDB
import Store
import TestSupport
import Testing

/// spleeter through the `stemtrace` executable: `separate` against the TensorFlow golden, the
/// default separator of ingest, weights that are missing, a 5-stem model, and explanations of
/// spleeter+bandsplit stems.
@Suite struct SpleeterCommandTests {
    let root: URL
    let repository = Fixtures.directory.deletingLastPathComponent().deletingLastPathComponent()

    init() throws { root = try Fixtures.temporaryDirectory("spleeter-cli") }

    /// Acceptance: the golden's `input` as a 44.1 kHz stereo float WAV through `stemtrace separate`
    /// gives TensorFlow's vocals and accompaniment within 1e-4 (measured: about 7e-6).
    @Test func separateReproducesTensorFlowSpleeterOnTheR05Golden() throws {
        _ = try SpleeterFixtures.twoStemsURL()
        let golden = try Safetensors.read(contentsOf: Fixtures.url("spleeter/r05.safetensors"))
        let input = try #require(golden["input"])
        let wav = root.appendingPathComponent("r05 input.wav")
        try AudioWriter.write(try input.floats(), channels: 2, sampleRate: 44_100, format: .wavFloat, to: wav.path)
        let out = root.appendingPathComponent("out")
        let r = try BuiltTool.run(["separate", wav.path, "--separator", "spleeter", "--output", out.path])
        #expect(r.status == 0, "\(r.output)")
        #expect(r.output.contains("44100 Hz, 2 channel(s)"), "\(r.output)")
        for name in ["vocals", "accompaniment"] {
            let written = try AudioDecoder.decode(path: out.appendingPathComponent("\(name).wav").path)
            #expect(written.sampleRate == 44_100 && written.channelCount == 2)
            let expected = try #require(golden[name]).floats()
            #expect(written.samples.count == expected.count)
            let worst = worstDifference(written.samples, expected)
            print("stemtrace separate r05 \(name): max abs error \(worst.error)")
            #expect(worst.error <= 1e-4, "\(name): \(worst)")
        }
    }

    @Test func separateRefusesFilesWithMoreThanTwoChannels() throws {
        _ = try SpleeterFixtures.twoStemsURL()
        let file = root.appendingPathComponent("three.wav")
        try TestAudio.writeTone(file, seconds: 1, sampleRate: 44_100, channels: 3, seed: 3)
        let r = try BuiltTool.run([
            "separate", file.path, "--separator", "spleeter", "--output", root.appendingPathComponent("o").path,
        ])
        #expect(r.status != 0 && r.output.contains("3 channels"), "\(r.output)")
    }

    @Test func ingestsDefaultNeedsTheWeightsAndSaysHowToGetThem() throws {
        let corpus = root.appendingPathComponent("corpus")
        try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
        try TestAudio.writeTone(corpus.appendingPathComponent("a.wav"), seconds: 3, seed: 5)
        let empty = root.appendingPathComponent("no-weights")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let store = root.appendingPathComponent("store")
        let r = try BuiltTool.run(
            ["ingest", corpus.path, "--store", store.path, "--progress", "none"],
            environment: ["STEMTRACE_SPLEETER_DIR": empty.path])
        #expect(r.status != 0)
        #expect(r.output.contains("tools/fetch_spleeter") && r.output.contains("--separator builtin"), "\(r.output)")
        #expect(!FileManager.default.fileExists(atPath: store.appendingPathComponent("catalog.sqlite").path), "nothing stored")
        // A weights file of another kind (musicnn's TensorFlow names look alike) is refused as
        // spleeter weights, naming the problem.
        let head = repository.appendingPathComponent("models/veracity-head/model.safetensors")
        let wrong = try BuiltTool.run([
            "ingest", corpus.path, "--store", store.path, "--separator", "spleeter", "--separator-model", head.path,
        ])
        #expect(wrong.status != 0 && wrong.output.contains("not 'spleeter'"), "\(wrong.output)")
        // …and spleeter weights are refused as a prediction model.
        let model = try BuiltTool.run(["model", "info", try SpleeterFixtures.twoStemsURL().path])
        #expect(model.status != 0 && model.output.contains("spleeter separator weights"), "\(model.output)")
    }

    /// A file in the converted 5-stem layout (random weights from tools/make_spleeter_random.py)
    /// runs, and its instrument names reach the stems and the catalog; the stems add up to the
    /// excerpt with the difference in `other`.
    @Test func aFiveStemModelNamesTheStemsItMakes() throws {
        let model = root.appendingPathComponent("random-5stems.safetensors")
        let script = try BuiltTool.run(
            executable: URL(fileURLWithPath: "/usr/bin/env"),
            [
                "python3", repository.appendingPathComponent("tools/make_spleeter_random.py").path, "--layout", "5stems",
                "--output", model.path,
            ])
        #expect(script.status == 0, "\(script.output)")
        let corpus = root.appendingPathComponent("corpus5")
        try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
        try TestAudio.writeTone(corpus.appendingPathComponent("a.wav"), seconds: 3, seed: 9)
        let store = root.appendingPathComponent("store5")
        let r = try BuiltTool.run([
            "ingest", corpus.path, "--store", store.path, "--separator", "spleeter", "--separator-model", model.path,
            "--progress",
            "none",
        ])
        #expect(r.status == 0, "\(r.output)")
        #expect(r.output.contains("added to 'other'"), "\(r.output)")
        let opened = try Store.open(at: store)
        let names = try opened.catalog.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM arrays WHERE kind = 'stem' ORDER BY name")
        }
        #expect(names == ["bass", "drums", "other", "piano", "vocals"])
        let producers = try opened.catalog.read { db in
            try String.fetchAll(db, sql: "SELECT DISTINCT producer FROM arrays WHERE kind = 'stem'")
        }
        #expect(producers.count == 1 && producers[0].hasPrefix("spleeter@1#"), "\(producers)")

        let out = root.appendingPathComponent("separate5")
        let separate = try BuiltTool.run([
            "separate", corpus.appendingPathComponent("a.wav").path, "--separator", "spleeter", "--separator-model", model.path,
            "--output", out.path,
        ])
        #expect(separate.status == 0, "\(separate.output)")
        for name in ["vocals", "piano", "drums", "bass", "other"] {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("\(name).wav").path), "\(name)")
        }
    }

    /// Explanations over spleeter+bandsplit stems, end to end (the default separator).
    @Test func explanationsRunOnSpleeterPlusBandsplitStems() throws {
        _ = try SpleeterFixtures.twoStemsURL()
        let corpus = root.appendingPathComponent("corpus-explain")
        try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
        try TestAudio.writeTone(corpus.appendingPathComponent("a.wav"), seconds: 6, seed: 12)
        let store = root.appendingPathComponent("store-explain")
        let ingest = try BuiltTool.run(["ingest", corpus.path, "--store", store.path, "--progress", "none"])
        #expect(ingest.status == 0, "\(ingest.output)")
        let head = repository.appendingPathComponent("models/veracity-head/model.safetensors")
        let explain = try BuiltTool.run([
            "explain", "--store", store.path, "--model", head.path, "--separator", "spleeter+bandsplit", "--progress", "none",
        ])
        #expect(explain.status == 0, "\(explain.output)")
        #expect(explain.output.contains("1 excerpts explained"), "\(explain.output)")
        let opened = try Store.open(at: store)
        let sources = try opened.catalog.read { db in
            try String.fetchAll(db, sql: "SELECT DISTINCT source FROM explanation_weights ORDER BY source")
        }
        #expect(sources == ["bass", "drums", "other", "vocals"])
        let producers = try opened.catalog.read { db in
            try String.fetchAll(db, sql: "SELECT DISTINCT producer FROM arrays WHERE kind = 'stem'")
        }
        #expect(producers.count == 1 && producers[0].hasPrefix("spleeter+bandsplit@1#"), "\(producers)")

        // spleeter's own stems beside them: `--separator spleeter` names that separator exactly,
        // although `spleeter+bandsplit` starts the same way.
        let again = try BuiltTool.run([
            "ingest", corpus.path, "--store", store.path, "--separator", "spleeter", "--progress", "none",
        ])
        #expect(again.status == 0, "\(again.output)")
        let second = try BuiltTool.run([
            "explain", "--store", store.path, "--model", head.path, "--separator", "spleeter", "--progress", "none",
        ])
        #expect(second.status == 0, "\(second.output)")
        let spleeterSources = try opened.catalog.read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT DISTINCT w.source FROM explanation_weights w JOIN explanations e ON e.id = w.explanation_id
                    JOIN explanation_configs c ON c.id = e.config_id WHERE c.separator_id LIKE 'spleeter@%' ORDER BY w.source
                    """)
        }
        #expect(spleeterSources == ["accompaniment", "vocals"])
    }
}

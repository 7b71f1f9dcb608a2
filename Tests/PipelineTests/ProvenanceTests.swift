import Core
import Foundation
import GRDB
import TestSupport
import Testing

@testable import Pipeline
@testable import Store

/// Run provenance (migration 0007): every run row a stage writes carries the build, the loaded
/// libraries, the host and the command line; every array, prediction, effect and explanation
/// points at a run; `info --run N`, `export`'s PROVENANCE.json and `--version` show it; merge
/// keeps each source run's provenance.
@Suite struct ProvenanceTests {
    static let libraries: Set = ["libsndfile", "libsoxr", "fftw", "fftw_plans", "openblas", "onednn", "lz4", "sqlite"]
    static let head = Fixtures.directory.deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("models/veracity-head/model.safetensors")

    func pipeline(_ root: URL) throws -> URL {
        let corpus = root.appendingPathComponent("corpus")
        try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
        for i in 0..<2 { try TestAudio.writeTone(corpus.appendingPathComponent("t\(i).wav"), seconds: 3.5, seed: 40 + i) }
        let store = root.appendingPathComponent("store")
        for arguments in [
            ["ingest", corpus.path, "--store", store.path, "--separator", "builtin", "--progress", "none"],
            ["infer", "--store", store.path, "--model", Self.head.path, "--progress", "none"],
            ["explain", "--store", store.path, "--model", Self.head.path, "--target", "midlevel", "--progress", "none"],
        ] {
            let r = try BuiltTool.run(arguments)
            #expect(r.status == 0, "\(arguments[0]): \(r.output)")
        }
        return store
    }

    @Test func everyRunRecordsWhatMadeItAndEveryResultPointsAtARun() throws {
        let root = try Fixtures.temporaryDirectory("provenance")
        let url = try pipeline(root)
        let store = try Store.open(at: url)
        let runs = try RunReport.all(store)
        #expect(runs.map(\.command) == ["ingest", "infer", "explain"])
        for run in runs {
            let p = try #require(run.provenance, "run \(run.id)")
            #expect(p.version == BuildInfo.version && p.commit == BuildInfo.commit && !p.commit.isEmpty)
            #expect(Set(p.libraries.keys) == Self.libraries, "\(p.libraries)")
            #expect(p.libraries.values.allSatisfy { !$0.isEmpty && $0 != "unknown" }, "\(p.libraries)")
            #expect(p.threads == ProcessInfo.processInfo.activeProcessorCount && !p.host.isEmpty && !p.cpu.isEmpty)
            #expect(p.commandLine.dropFirst().first == run.command, "\(p.commandLine)")
            #expect(p.commandLine.contains(url.path))
        }
        // Every result row points at the run that wrote it.
        try store.catalog.read { db in
            for table in ["tracks", "arrays", "predictions", "effects", "explanations"] {
                let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? 0
                let traced = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table) t JOIN runs r ON r.id = t.run_id") ?? 0
                #expect(total > 0 && traced == total, "\(table): \(traced) of \(total) rows point at a run")
            }
        }
        let infer = try RunReport.load(store, run: runs[1].id)
        #expect(infer.produced["predictions"] == 2 * 9 && infer.produced["effects"] == 2 * 14)
        let explain = try RunReport.load(store, run: runs[2].id)
        #expect(explain.produced["explanations"] == 2 * 7 && explain.arrays["lime_predictions"] == 2)
        #expect(throws: StoreError.self) { _ = try RunReport.load(store, run: 99) }

        // The command line shows it.
        let version = try BuiltTool.run(["--version"])
        #expect(version.output.contains(BuildInfo.version) && version.output.contains(BuildInfo.commit))
        let info = try BuiltTool.run(["info", "--store", url.path, "--run", String(runs[2].id)])
        #expect(info.status == 0 && info.output.contains("stemtrace \(BuildInfo.version), commit \(BuildInfo.commit)"))
        #expect(info.output.contains("14 explanations") && info.output.contains("onednn"))
        let summary = try BuiltTool.run(["info", "--store", url.path])
        #expect(summary.output.contains("3 runs by stemtrace \(BuildInfo.version), commit \(BuildInfo.commit)"))
        let missing = try BuiltTool.run(["info", "--store", url.path, "--run", "99"])
        #expect(missing.status != 0 && missing.output.contains("no run 99 in this store (runs 1–3)"))

        // export writes PROVENANCE.json with every run.
        let out = root.appendingPathComponent("export")
        #expect(try BuiltTool.run(["export", "--store", url.path, "--output", out.path, "--bootstrap", "0"]).status == 0)
        struct Document: Decodable { let runs: [RunReport] }
        let doc = try JSONDecoder().decode(
            Document.self, from: Data(contentsOf: out.appendingPathComponent("PROVENANCE.json")))
        #expect(doc.runs.map(\.id) == runs.map(\.id) && doc.runs[1] == infer && doc.runs[2] == explain)
    }

    /// STEMTRACE_THREADS pins every default thread count, and the run records it; without it the
    /// affinity mask decides (`taskset -c 0` gives one).
    @Test func threadsComeFromTheEnvironmentOrTheAffinityMask() throws {
        let root = try Fixtures.temporaryDirectory("provenance-threads")
        let corpus = root.appendingPathComponent("corpus")
        try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
        try TestAudio.writeTone(corpus.appendingPathComponent("t.wav"), seconds: 3.5, seed: 7)
        let pinned = root.appendingPathComponent("pinned")
        let r = try BuiltTool.run(
            ["ingest", corpus.path, "--store", pinned.path, "--separator", "builtin", "--progress", "none"],
            environment: ["STEMTRACE_THREADS": "3"])
        #expect(r.status == 0, "\(r.output)")
        #expect(try RunReport.all(Store.open(at: pinned)).first?.provenance?.threads == 3)
        let mask = try #require(ProcessorCount.affinityCount())
        #expect(mask >= 1 && mask <= ProcessInfo.processInfo.activeProcessorCount)
        let taskset = URL(fileURLWithPath: "/usr/bin/taskset")
        if FileManager.default.isExecutableFile(atPath: taskset.path) {
            let single = root.appendingPathComponent("single")
            let t = try BuiltTool.run(
                executable: taskset,
                [
                    "-c", "0", try BuiltTool.stemtrace.path, "ingest", corpus.path, "--store", single.path, "--separator",
                    "builtin", "--progress", "none",
                ])
            #expect(t.status == 0, "\(t.output)")
            #expect(try RunReport.all(Store.open(at: single)).first?.provenance?.threads == 1)
        }
    }

    @Test func mergeKeepsEachSourceRunsProvenance() throws {
        let root = try Fixtures.temporaryDirectory("provenance-merge")
        let source = try Store.open(at: try pipeline(root))
        let destination = try Store.open(at: root.appendingPathComponent("merged"), create: true)
        let provenance = RunProvenance(
            version: "9.9.9", commit: "merge-test", libraries: ["x": "1"], host: "h", cpu: "c", threads: 1,
            commandLine: ["merge"])
        _ = try StoreMerge(from: source, into: try destination.writer(), provenance: provenance).run()
        let before = try RunReport.all(source)
        let after = try RunReport.all(destination)
        #expect(after.count == before.count + 1)
        let merge = try #require(after.first { $0.command == "merge" })
        #expect(merge.provenance?.version == "9.9.9" && merge.provenance?.libraries["sqlite"] != nil)
        for run in before {
            let copy = try #require(after.first { $0.command == run.command && $0.startedAt == run.startedAt })
            #expect(copy.provenance == run.provenance && copy.provenance != nil, "\(run.command)")
        }
    }
}

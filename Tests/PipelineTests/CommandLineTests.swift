import Core
import Foundation
import Inference
import Store
import TestSupport
import Testing

/// The `stemtrace` executable end to end: exit statuses, outputs and error messages.
@Suite struct CommandLineTests {
    let root: URL
    let corpus: URL
    let store: URL

    init() throws {
        root = try Fixtures.temporaryDirectory("cli")
        corpus = root.appendingPathComponent("corpus")
        store = root.appendingPathComponent("store")
        try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
        try TestAudio.writeTone(corpus.appendingPathComponent("a.wav"), seconds: 42, sampleRate: 44100, channels: 2, seed: 5)
        try TestAudio.writeTone(corpus.appendingPathComponent("b.flac"), seconds: 10, sampleRate: 22050, seed: 6, format: .flac16)
    }

    @Test func spectrogramCommandWritesBandsByFramesForExcerptAndFullSignal() throws {
        let audio = corpus.appendingPathComponent("a.wav").path
        let excerpt = root.appendingPathComponent("excerpt.safetensors")
        let full = root.appendingPathComponent("full.safetensors")
        let r1 = try BuiltTool.run(["spectrogram", audio, "--output", excerpt.path])
        #expect(r1.status == 0, "\(r1.output)")
        let spec = try #require(try Safetensors.read(contentsOf: excerpt)["spectrogram"])
        #expect(spec.dtype == .f32 && spec.shape == [149, 1252])
        let r2 = try BuiltTool.run(["spectrogram", audio, "--output", full.path, "--full"])
        #expect(r2.status == 0, "\(r2.output)")
        // 42 s at 22 050 Hz = 926 100 samples → ceil(926100 / 704.47…) = 1315 frames.
        #expect(try Safetensors.read(contentsOf: full)["spectrogram"]?.shape == [149, 1315])
    }

    @Test func spectrogramOfABadFileFailsNamingTheFile() throws {
        let bad = root.appendingPathComponent("bad.wav")
        try Data("nope".utf8).write(to: bad)
        let r = try BuiltTool.run(["spectrogram", bad.path, "--output", root.appendingPathComponent("x.safetensors").path])
        #expect(r.status != 0)
        #expect(r.output.contains("bad.wav") && r.output.contains("undecodable"))
    }

    @Test func ingestInfoExportAndVerifyWorkTogether() throws {
        let ingest = try BuiltTool.run([
            "ingest", corpus.path, "--store", store.path, "--separator", "builtin", "--progress", "none",
        ])
        #expect(ingest.status == 0, "\(ingest.output)")
        #expect(ingest.output.contains("stored      2"))

        let info = try BuiltTool.run(["info", "--store", store.path, "--json"])
        #expect(info.status == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(info.output.utf8)) as? [String: Any])
        #expect(json["tracks"] as? Int == 2 && json["schemaVersion"] as? Int == 7)

        let out = root.appendingPathComponent("export")
        let export = try BuiltTool.run(["arrays", "export", "--store", store.path, "--kind", "logfiltspec", "--output", out.path])
        #expect(export.status == 0, "\(export.output)")
        let files = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
        #expect(files.count == 2 && files.allSatisfy { $0.hasSuffix(".logfiltspec.safetensors") })
        let opened = try Store.open(at: store)
        for row in try opened.catalog.arrays(kind: "logfiltspec") {
            let exported = try Safetensors.read(contentsOf: out.appendingPathComponent("\(row.trackId).logfiltspec.safetensors"))
            #expect(exported["logfiltspec"] == (try opened.read(row)))
        }

        let stems = root.appendingPathComponent("stems")
        let stemExport = try BuiltTool.run([
            "arrays", "export", "--store", store.path, "--kind", "stem", "--producer", "bandsplit",
            "--output", stems.path,
        ])
        #expect(stemExport.status == 0, "\(stemExport.output)")
        let stemFiles = try FileManager.default.contentsOfDirectory(atPath: stems.path)
        #expect(stemFiles.count == 8, "2 tracks × 4 built-in stems")
        #expect(stemFiles.allSatisfy { $0.contains(".stem.") && $0.contains(".bandsplit-1-") })

        #expect(try BuiltTool.run(["verify", "--store", store.path]).status == 0)
        // Corrupt one payload byte: verify must fail and name the array.
        let row = try #require(try opened.catalog.arrays(kind: "mix").first)
        let shard = store.appendingPathComponent("shards").appendingPathComponent(ShardFile.name(row.shard))
        let handle = try FileHandle(forUpdating: shard)
        try handle.seek(toOffset: UInt64(row.offset) + UInt64(row.length) - 10)
        let byte = try #require(try handle.read(upToCount: 1))
        try handle.seek(toOffset: UInt64(row.offset) + UInt64(row.length) - 10)
        try handle.write(contentsOf: Data([byte[0] ^ 0xFF]))
        try handle.close()
        let verify = try BuiltTool.run(["verify", "--store", store.path])
        #expect(verify.status == 1)
        #expect(verify.output.contains("array \(row.id ?? -1)") && verify.output.contains("CORRUPT"))
    }

    @Test func mergeCopiesAStoreAndNamesASourceThatIsNotOne() throws {
        #expect(
            try BuiltTool.run(["ingest", corpus.path, "--store", store.path, "--separator", "builtin", "--progress", "none"])
                .status == 0)
        let merged = root.appendingPathComponent("merged")
        let merge = try BuiltTool.run(["merge", "--store", merged.path, store.path, "--progress", "none"])
        #expect(merge.status == 0, "\(merge.output)")
        #expect(merge.output.contains("2 tracks added (0 already present)"))
        let info = try BuiltTool.run(["info", "--store", merged.path, "--json"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(info.output.utf8)) as? [String: Any])
        #expect(json["tracks"] as? Int == 2)
        #expect(try BuiltTool.run(["verify", "--store", merged.path]).status == 0)
        let missing = root.appendingPathComponent("nothing").path
        let bad = try BuiltTool.run(["merge", "--store", merged.path, missing])
        #expect(bad.status != 0 && bad.output.contains("is not a stemtrace store"))
    }

    @Test func ingestWithAFailedFileExitsWithStatus2AndListsIt() throws {
        try Data().write(to: corpus.appendingPathComponent("zero.ogg"))
        let r = try BuiltTool.run(["ingest", corpus.path, "--store", store.path, "--separator", "builtin", "--progress", "none"])
        #expect(r.status == 2, "\(r.output)")
        #expect(r.output.contains("zero.ogg") && r.output.contains("failed      1"))
    }

    @Test func commandsOnAMissingStoreSayItIsNotAStore() throws {
        let r = try BuiltTool.run(["info", "--store", root.appendingPathComponent("nothing").path])
        #expect(r.status != 0)
        #expect(r.output.contains("is not a stemtrace store"))
    }

    @Test func invalidOptionsAreRejectedBeforeAnyWork() throws {
        let r = try BuiltTool.run(["ingest", corpus.path, "--store", store.path, "--excerpt", "end"])
        #expect(r.status == 64)
        #expect(r.output.contains("--excerpt"))
        #expect(!FileManager.default.fileExists(atPath: store.path))
        let out = root.appendingPathComponent("m.safetensors").path
        let noCheckpoint = try BuiltTool.run(["train", "--store", store.path, "--output", out, "--backbone", "rfresnet"])
        #expect(noCheckpoint.status == 64 && noCheckpoint.output.contains("--checkpoint"))
        let mixed = try BuiltTool.run([
            "train", "--store", store.path, "--output", out, "--backbone", "rfresnet", "--checkpoint", out, "--embedding",
            "pooled",
        ])
        #expect(mixed.status == 64 && mixed.output.contains("--embedding is for --backbone musicnn"))
        let unknown = try BuiltTool.run(["train", "--store", store.path, "--output", out, "--backbone", "vggish"])
        #expect(unknown.status == 64 && unknown.output.contains("musicnn or rfresnet"))
    }
}

/// `stemtrace explain` with an external model behind `--model-command`: a stdlib-only Python
/// script that reads the safetensors batch and writes low- and high-band means with labels.
@Suite struct ExplainCommandLineTests {
    static let script = #"""
        import json, struct, sys
        def read(path):
            data = open(path, "rb").read()
            n = struct.unpack("<Q", data[:8])[0]
            header = json.loads(data[8:8 + n])
            info = header["input"]
            start, end = info["data_offsets"]
            values = struct.unpack("<%df" % ((end - start) // 4), data[8 + n + start:8 + n + end])
            return info["shape"], values
        (batch, bands, frames), values = read(sys.argv[1])
        out = []
        q = bands // 4
        for b in range(batch):
            base = b * bands * frames
            low = sum(values[base:base + q * frames]) / (q * frames)
            high = sum(values[base + (bands - q) * frames:base + bands * frames]) / (q * frames)
            out += [low, high]
        payload = struct.pack("<%df" % len(out), *out)
        header = json.dumps({"__metadata__": {"labels": json.dumps(["low_energy", "high_energy"])},
                             "output": {"dtype": "F32", "shape": [batch, 2], "data_offsets": [0, len(payload)]}}).encode()
        header += b" " * ((8 - len(header) % 8) % 8)
        open(sys.argv[2], "wb").write(struct.pack("<Q", len(header)) + header + payload)
        """#

    @Test func anExternalModelIsExplainedThroughItsCommand() throws {
        let root = try Fixtures.temporaryDirectory("explain-cli")
        let corpus = root.appendingPathComponent("corpus")
        let store = root.appendingPathComponent("store")
        try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
        try TestAudio.writeTone(corpus.appendingPathComponent("a.wav"), seconds: 6, seed: 8)
        let ingest = try BuiltTool.run([
            "ingest", corpus.path, "--store", store.path, "--separator", "builtin", "--progress", "none",
        ])
        #expect(ingest.status == 0, "\(ingest.output)")
        let script = root.appendingPathComponent("band model.py")
        try Self.script.write(to: script, atomically: true, encoding: .utf8)

        let r = try BuiltTool.run([
            "explain", "--store", store.path, "--model-command", "python3 '\(script.path)' {input} {output}", "--progress",
            "none",
        ])
        #expect(r.status == 0, "\(r.output)")
        #expect(r.output.contains("1 excerpts explained"), "\(r.output)")
        let opened = try Store.open(at: store)
        let targets = try opened.catalog.read { db in
            try String.fetchAll(db, sql: "SELECT target FROM explanations ORDER BY target")
        }
        #expect(targets == ["high_energy", "low_energy"])

        let broken = try BuiltTool.run(["explain", "--store", store.path, "--model-command", "false {input} {output}"])
        #expect(broken.status != 0)
        #expect(broken.output.contains("--model-command") && broken.output.contains("exit status 1"), "\(broken.output)")
        let noOutput = try BuiltTool.run(["explain", "--store", store.path, "--model-command", "true {input}"])
        #expect(noOutput.status != 0 && noOutput.output.contains("{output}"), "\(noOutput.output)")
        let both = try BuiltTool.run(["explain", "--store", store.path])
        #expect(both.status != 0 && both.output.contains("exactly one of --model"), "\(both.output)")
        for lanes in ["0", "100000"] {
            let refused = try BuiltTool.run(["explain", "--store", store.path, "--model", "musicnn", "--lanes", lanes])
            #expect(refused.status != 0 && refused.output.contains("--lanes must be between 1 and"), "\(refused.output)")
        }
    }
}

/// `stemtrace labels import` and `stemtrace query` through the executable: what a query needs
/// and does not find is named with the command that makes it.
@Suite struct QueryCommandLineTests {
    @Test func labelsImportAndQueriesSayWhatIsMissing() throws {
        let root = try Fixtures.temporaryDirectory("query-cli")
        let corpus = root.appendingPathComponent("corpus")
        let store = root.appendingPathComponent("store")
        try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
        try TestAudio.writeTone(corpus.appendingPathComponent("a.wav"), seconds: 3, seed: 9)
        #expect(
            try BuiltTool.run(["ingest", corpus.path, "--store", store.path, "--separator", "none", "--progress", "none"]).status
                == 0)
        let csv = root.appendingPathComponent("labels.csv")
        try "file,valence,arousal\na.wav,0.8,0.2\n".write(to: csv, atomically: true, encoding: .utf8)
        let imported = try BuiltTool.run(["labels", "import", csv.path, "--store", store.path])
        #expect(imported.status == 0, "\(imported.output)")
        #expect(
            imported.output.contains("valence: scale 0.0:1.0 (detected")
                && imported.output.contains("imported 2 labels for 1 tracks"))

        let errors = try BuiltTool.run(["query", "errors", "--store", store.path, "--by-genre", "other", "--quantiles", "2"])
        #expect(errors.status != 0 && errors.output.contains("run stemtrace infer"), "\(errors.output)")
        let quality = try BuiltTool.run(["query", "quality", "--store", store.path])
        #expect(quality.status != 0 && quality.output.contains("run stemtrace explain"), "\(quality.output)")
        let badSource = try BuiltTool.run(["query", "quality", "--store", store.path, "--genre-source", "lastfm"])
        #expect(badSource.status != 0 && badSource.output.contains("--genre-source"), "\(badSource.output)")
    }
}

import AudioIO
import Core
import Foundation
import FuzzTargets
import Inference
import Pipeline
import Store
import TestSupport
import Testing

/// The committed fuzz corpus (Tests/Fixtures/fuzz/TARGET: seeds, and `crashes/` for inputs that once
/// crashed or hung a target), replayed through the fuzz targets without a sanitizer, so every `swift
/// test` checks that no input that ever mattered traps or hangs again. The seeds run in this process;
/// the crash inputs run in the target's executable (built with the tests; its replay `main` calls
/// the same `run`), under a time limit, because a regression there would otherwise take down or
/// hang the whole test process instead of failing one test. The seeds are also read with the real
/// readers, so the corpus keeps holding what its names promise: `valid-…` is read, `invalid-…` is
/// refused (for csv, `metadata-…` loads as `--metadata` and `labels-…` as labels).
@Suite struct FuzzReplayTests {
    static let targets: [String: @Sendable (Data) -> Void] = [
        "safetensors": SafetensorsFuzzTarget.run,
        "shard-record": ShardRecordFuzzTarget.run,
        "csv": CSVFuzzTarget.run,
        "audio": AudioDecoderFuzzTarget.run,
    ]
    static let executables = [
        "safetensors": "FuzzSafetensors", "shard-record": "FuzzShardRecord", "csv": "FuzzCSV", "audio": "FuzzAudioDecoder",
    ]
    /// How long one crash input may take in a child process; every seed takes milliseconds.
    static let crashTimeLimit: Double = 20

    /// Every committed input of a target (seeds and crashes), by name relative to its folder.
    static func inputs(_ target: String) throws -> [(name: String, bytes: Data)] {
        let folder = Fixtures.url("fuzz/\(target)")
        return try FuzzEntry.files(at: folder).map { file in
            (String(file.path.dropFirst(folder.path.count + 1)), try Data(contentsOf: file))
        }
    }

    static func seeds(_ target: String, prefix: String) throws -> [(name: String, bytes: Data)] {
        try inputs(target).filter { $0.name.hasPrefix(prefix) }
    }

    @Test(arguments: ["safetensors", "shard-record", "csv", "audio"])
    func everySeedReplaysWithoutATrap(target: String) throws {
        let run = try #require(Self.targets[target])
        let seeds = try Self.inputs(target).filter { !$0.name.hasPrefix("crashes/") }
        #expect(seeds.count >= 5, "the \(target) seed corpus is (nearly) empty")
        #expect(seeds.allSatisfy { $0.bytes.count <= 8192 }, "seeds are kept small")
        for seed in seeds { run(seed.bytes) }
    }

    @Test(arguments: ["safetensors", "shard-record", "csv", "audio"])
    func everyCommittedCrashReplaysWithoutATrapOrAHang(target: String) throws {
        let crashes = FuzzEntry.files(at: Fixtures.url("fuzz/\(target)/crashes"))
        guard !crashes.isEmpty else { return }
        let executable = try Self.builtExecutable(try #require(Self.executables[target]))
        for crash in crashes {
            let outcome = try Self.run(executable, crash.path, timeLimit: Self.crashTimeLimit)
            let what = outcome.timedOut ? "running after \(Self.crashTimeLimit) s (a hang)" : "exit status \(outcome.status)"
            #expect(
                !outcome.timedOut && outcome.status == 0,
                "\(target)/crashes/\(crash.lastPathComponent): \(what)\n\(outcome.output.suffix(2000))")
        }
    }

    /// A fuzz executable built beside the test bundle (`swift build --build-tests` builds them all).
    static func builtExecutable(_ name: String) throws -> URL {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent(),
        ].map { $0.appendingPathComponent(name) }
        let found = candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
        return try #require(found, "\(name) is not built (swift build --build-tests); looked in \(candidates.map(\.path))")
    }

    /// Runs `executable input`, killing it after `timeLimit` seconds. Output goes to a file, not a
    /// pipe, so a child that writes a long backtrace can never block on a full pipe.
    static func run(_ executable: URL, _ input: String, timeLimit: Double) throws -> (
        status: Int32, timedOut: Bool, output: String
    ) {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-replay-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: log) }
        let output = try FileHandle(forWritingTo: log)
        defer { try? output.close() }
        let process = Process()
        process.executableURL = executable
        process.arguments = [input]
        // A trap should end the child at once, not after the runtime's backtracer has symbolicated it.
        process.environment = ProcessInfo.processInfo.environment.merging(["SWIFT_BACKTRACE": "enable=no"]) { _, new in new }
        process.standardOutput = output
        process.standardError = output
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        try process.run()
        let timedOut = exited.wait(timeout: .now() + timeLimit) == .timedOut
        if timedOut {
            // SIGKILL, not `terminate()`: the child inherits the signal mask of the test's thread, which
            // blocks SIGTERM, so a hung child would outlive its SIGTERM and this wait.
            kill(process.processIdentifier, SIGKILL)
            exited.wait()
        }
        return (process.terminationStatus, timedOut, (try? String(contentsOf: log, encoding: .utf8)) ?? "")
    }

    @Test func everyTargetHasACrashesFolder() {
        for target in Self.targets.keys {
            var isDirectory: ObjCBool = false
            let path = Fixtures.url("fuzz/\(target)/crashes").path
            #expect(FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue, "\(path)")
        }
    }

    // MARK: the seeds mean what their names say

    @Test func validSafetensorsSeedsDecodeAndInvalidOnesAreRefused() throws {
        let valid = try Self.seeds("safetensors", prefix: "valid-")
        #expect(valid.count >= 4)
        for seed in valid {
            let tensors = try Safetensors.decode(seed.bytes, source: seed.name)
            let metadata = try Safetensors.metadata(seed.bytes, source: seed.name)
            #expect(!tensors.isEmpty || !metadata.isEmpty, "\(seed.name) holds nothing")
            for (name, tensor) in tensors {
                #expect(Tensor.byteCount(shape: tensor.shape, dtype: tensor.dtype) == tensor.bytes.count, "\(seed.name): \(name)")
            }
        }
        let matrix = try Safetensors.decode(try #require(valid.first { $0.name == "valid-f32-matrix.safetensors" }).bytes)
        #expect(try matrix["weight"]?.floats() == (0..<12).map(Float.init))

        let invalid = try Self.seeds("safetensors", prefix: "invalid-")
        #expect(invalid.count >= 8)
        for seed in invalid {
            #expect(throws: SafetensorsError.self, "\(seed.name)") { try Safetensors.decode(seed.bytes, source: seed.name) }
        }
    }

    @Test func validShardRecordSeedsDecodeAndInvalidOnesAreRefused() throws {
        let valid = try Self.seeds("shard-record", prefix: "valid-")
        #expect(valid.count >= 4)
        for seed in valid {
            let tensor = try #require(try ShardRecordFuzzTarget.read([UInt8](seed.bytes)), "\(seed.name) is cut short")
            #expect(Tensor.elementCount(tensor.shape).map { $0 * tensor.dtype.byteWidth } == tensor.bytes.count)
        }
        let codecs = try valid.map { seed in
            try seed.bytes.withUnsafeBytes { try ShardRecord.parseHeader($0, shard: 0, offset: 0).0.codec }
        }
        #expect(codecs.contains(.none) && codecs.contains(.lz4Frame), "the seeds cover both codecs")

        let invalid = try Self.seeds("shard-record", prefix: "invalid-")
        #expect(invalid.count >= 8)
        for seed in invalid {
            let read = try? ShardRecordFuzzTarget.read([UInt8](seed.bytes))
            #expect(read == nil, "\(seed.name) was read as a tensor")
        }
    }

    /// `withChecksumsFixed` is what lets the fuzzer past the checksums: on a record damaged after it
    /// was written the header checksum fails, and with the checksums fixed the reader gets as far
    /// as the damage itself.
    @Test func fixingChecksumsReachesTheChecksBehindThem() throws {
        let valid = try #require(try Self.seeds("shard-record", prefix: "valid-f32-lz4").first)
        let bytes = [UInt8](valid.bytes)
        #expect(ShardRecordFuzzTarget.withChecksumsFixed(bytes) == bytes)
        var damaged = bytes
        damaged[40] &+= 1  // the first dimension: 4 × 64 becomes 5 × 64
        func reason(_ bytes: [UInt8]) -> String {
            do {
                _ = try ShardRecordFuzzTarget.read(bytes)
                return "read"
            } catch { return error.description }
        }
        #expect(reason(damaged).contains("header checksum mismatch"))
        #expect(reason(ShardRecordFuzzTarget.withChecksumsFixed(damaged)).contains("does not match raw length"))
    }

    @Test func metadataAndLabelSeedsLoadAndInvalidCSVsAreRefused() throws {
        let corpus = URL(fileURLWithPath: "/corpus")
        let directory = try Fixtures.temporaryDirectory("fuzz-csv")
        defer { try? FileManager.default.removeItem(at: directory) }
        func file(_ seed: (name: String, bytes: Data)) throws -> URL {
            let url = directory.appendingPathComponent(seed.name)
            try seed.bytes.write(to: url)
            return url
        }
        let metadata = try Self.seeds("csv", prefix: "metadata-")
        #expect(metadata.count >= 4)
        for seed in metadata {
            let table = try MetadataTable(url: try file(seed))
            let facts = table.facts(for: corpus.appendingPathComponent("a.wav"), corpus: corpus)
            #expect(!facts.genres.isEmpty, "\(seed.name): no genre for a.wav")
        }
        let labels = try Self.seeds("csv", prefix: "labels-")
        #expect(labels.count >= 2)
        for seed in labels {
            let parsed = try LabelsImport.parse(csv: try file(seed), scales: [:], defaultScale: nil)
            #expect(!parsed.values.isEmpty && !parsed.ranges.isEmpty, "\(seed.name): no label values")
        }
        let invalid = try Self.seeds("csv", prefix: "invalid-")
        #expect(invalid.count >= 2)
        for seed in invalid {
            let url = try file(seed)
            #expect(throws: PipelineError.self, "\(seed.name)") { try MetadataTable(url: url) }
            #expect(throws: PipelineError.self, "\(seed.name)") {
                try LabelsImport.parse(csv: url, scales: [:], defaultScale: nil)
            }
        }
    }

    @Test func validAudioSeedsDecodeUnderTheFuzzLimitsAndInvalidOnesAreRefused() throws {
        let valid = try Self.seeds("audio", prefix: "valid-")
        #expect(valid.count >= 4)
        var formats = Set<String>()
        for seed in valid {
            // As the fuzz target reads it (a temporary .mp3), and from the committed file by its own name.
            let decoded = try AudioDecoderFuzzTarget.decode(seed.bytes)
            let direct = try AudioDecoder.decode(
                path: Fixtures.url("fuzz/audio/\(seed.name)").path, limits: AudioDecoderFuzzTarget.limits)
            #expect(decoded.frameCount > 0 && decoded.samples == direct.samples, "\(seed.name)")
            formats.insert(decoded.formatName)
        }
        #expect(formats.count >= 4, "the seeds cover several containers: \(formats.sorted())")

        let invalid = try Self.seeds("audio", prefix: "invalid-")
        #expect(invalid.count >= 6)
        for seed in invalid {
            #expect(throws: AudioError.self, "\(seed.name)") { try AudioDecoderFuzzTarget.decode(seed.bytes) }
        }
    }
}

import Core
import Foundation
import Inference
import Store

/// `stemtrace arrays export`: writes stored arrays as safetensors files, one per array, named
/// `<track>.<kind>[.<name>][.<producer>][.cfg-<hash8>].safetensors` — the producer (e.g. the
/// separator, with `@` and `#` as `-`) when there is one, the configuration hash prefix only when
/// the exported arrays come from more than one configuration — holding one tensor named after
/// the kind plus metadata (track id, kind, name, producer, config hash, source path, array id).
/// A damaged record is named (with its track) in `failures` and skipped; the others are written.
public enum ArrayExport {
    /// What an export wrote, and the arrays it could not read.
    public struct Outcome: Sendable {
        public var files: [URL] = []
        public var failures: [TrackFailures.Item] = []
    }

    public static func run(
        store: Store, kind: String, track: String?, producer: String? = nil, output: URL,
        progress: ProgressReporter.Mode = .automatic
    ) throws -> Outcome {
        let arrays = try store.catalog.arrays(kind: kind, track: track).filter {
            producer == nil || $0.producer.hasPrefix(producer ?? "")
        }
        let severalConfigs = Set(arrays.map(\.configHash)).count > 1
        do { try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true) } catch {
            throw PipelineError.io(path: output.path, reason: error.localizedDescription)
        }
        let sources = try store.catalog.trackSourcePaths()
        let reporter = ProgressReporter(label: "export", total: arrays.count, mode: progress)
        var outcome = Outcome()
        var failures = TrackFailures(sources: sources)
        for array in arrays {
            let tensor: Tensor
            do { tensor = try store.read(array) } catch {
                failures.add(trackId: array.trackId, error)
                reporter.advance(failed: true)
                continue
            }
            let name = [
                array.trackId, array.kind, array.name.isEmpty ? nil : array.name,
                array.producer.isEmpty ? nil : fileSafe(array.producer),
                severalConfigs ? "cfg-" + array.configHash.prefix(8) : nil,
            ].compactMap { $0 }.joined(separator: ".")
            let url = output.appendingPathComponent(name + ".safetensors")
            let metadata = [
                "array_id": String(array.id ?? -1), "track_id": array.trackId, "kind": array.kind, "name": array.name,
                "producer": array.producer, "config_hash": array.configHash, "source": sources[array.trackId] ?? "",
            ]
            try Safetensors.write([array.kind: tensor], metadata: metadata, to: url)
            outcome.files.append(url)
            reporter.advance()
        }
        reporter.finish()
        outcome.failures = failures.items
        return outcome
    }

    /// A producer id as a file-name part: characters other than letters, digits, `-` and `_` become `-`.
    static func fileSafe(_ text: String) -> String {
        String(text.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "-" })
    }
}

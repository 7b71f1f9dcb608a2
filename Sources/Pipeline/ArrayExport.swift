import Foundation
import Inference
import Store

/// `stemtrace arrays export`: writes stored arrays as safetensors files, one per array, named
/// `<track>.<kind>[.<name>][.<producer>][.cfg-<hash8>].safetensors` — the producer (e.g. the
/// separator, with `@` and `#` as `-`) when there is one, the configuration hash prefix only when
/// the exported arrays come from more than one configuration — holding one tensor named after
/// the kind plus metadata (track id, kind, name, producer, config hash, source path, array id).
public enum ArrayExport {
    public static func run(
        store: Store, kind: String, track: String?, producer: String? = nil, output: URL,
        progress: ProgressReporter.Mode = .automatic
    ) throws -> [URL] {
        let arrays = try store.catalog.arrays(kind: kind, track: track).filter {
            producer == nil || $0.producer.hasPrefix(producer ?? "")
        }
        let severalConfigs = Set(arrays.map(\.configHash)).count > 1
        do { try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true) } catch {
            throw PipelineError.io(path: output.path, reason: error.localizedDescription)
        }
        let sources = try store.catalog.read { db in
            try Dictionary(TrackRecord.fetchAll(db).map { ($0.id, $0.sourcePath) }, uniquingKeysWith: { a, _ in a })
        }
        let reporter = ProgressReporter(label: "export", total: arrays.count, mode: progress)
        var written: [URL] = []
        for array in arrays {
            let tensor = try store.read(array)
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
            written.append(url)
            reporter.advance()
        }
        reporter.finish()
        return written
    }

    /// A producer id as a file-name part: characters other than letters, digits, `-` and `_` become `-`.
    static func fileSafe(_ text: String) -> String {
        String(text.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "-" })
    }
}

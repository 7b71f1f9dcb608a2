import Foundation
import Store

/// Text and JSON renderings of store facts for `info` and `verify`.
enum StoreSummary {
    static func text(_ i: StoreInfo, path: String) -> String {
        var lines = [
            "store \(path)  (schema version \(i.schemaVersion))",
            "  tracks \(i.tracks), source paths \(i.sources), excerpts \(i.excerpts), tags \(i.tags)",
            "  runs \(i.runs), recorded failures \(i.failures), warnings \(i.warnings)",
            "  shards \(i.shardCount), \(bytes(i.shardBytes)); catalog \(bytes(i.catalogBytes))",
            "  arrays: \(bytes(i.rawBytes)) raw in \(bytes(i.storedBytes)) stored, ratio \(String(format: "%.2f", i.compressionRatio))",
        ]
        for k in i.kinds {
            let kind = k.kind.padding(toLength: max(16, k.kind.count), withPad: " ", startingAt: 0)
            lines.append(
                "    \(kind) \(k.count) arrays  \(bytes(k.rawBytes)) → \(bytes(k.storedBytes))  (ratio "
                    + String(format: "%.2f", k.compressionRatio) + ")")
        }
        for sep in i.separators {
            lines.append("  stems by \(sep.id): \(sep.tracks) tracks × [\(sep.stems.joined(separator: ", "))]")
        }
        for b in i.builds {
            let build = b.version.map { "stemtrace \($0), commit \(b.commit ?? "unknown")" } ?? "provenance not recorded"
            lines.append("  \(b.runs) run\(b.runs == 1 ? "" : "s") by \(build)  (stemtrace info --run N for one)")
        }
        return lines.joined(separator: "\n")
    }

    static func json(_ i: StoreInfo) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        return (try? encoder.encode(i)).flatMap { String(data: $0, encoding: .utf8) } ?? "{}"
    }

    static func text(_ r: VerifyReport) -> String {
        var lines: [String] = []
        switch r.catalogCheck {
        case .none: break
        case .full, .quick:
            let check = r.catalogCheck == .full ? "integrity_check" : "quick_check"
            lines.append(
                "catalog (\(check), foreign_key_check): "
                    + (r.catalogProblems.isEmpty ? "ok" : "DAMAGED, \(r.catalogProblems.count) problems"))
        }
        for p in r.catalogProblems.prefix(20) { lines.append("  catalog: \(p)") }
        if r.catalogProblems.count > 20 { lines.append("  catalog: … \(r.catalogProblems.count - 20) more") }
        lines.append("verified \(r.arraysChecked) arrays: \(r.problems.isEmpty ? "all intact" : "\(r.problems.count) CORRUPT")")
        for p in r.problems { lines.append("  corrupt: \(p.message)") }
        for o in r.orphanedTails {
            lines.append(
                "  orphaned: \(bytes(o.bytes)) after byte \(o.referencedEnd) of shard \(ShardFile.name(o.shard)) (harmless; --reclaim truncates)"
            )
        }
        return lines.joined(separator: "\n")
    }

    static func bytes(_ n: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var v = Double(n)
        var u = 0
        while v >= 1024, u < units.count - 1 {
            v /= 1024
            u += 1
        }
        return u == 0 ? "\(n) B" : String(format: "%.1f %@", v, units[u])
    }
}

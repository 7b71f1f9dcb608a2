import Core
import Foundation
import Inference
import Separation

/// Builds the separator an ingest run asked for.
public enum SeparatorFactory {
    public enum Choice: Sendable { case builtin, none, command, imported, spleeter, spleeterBandsplit }

    /// spleeter's five stem names, each expected as `{stem}.wav` somewhere in the tool's output.
    public static let defaultCommandStems = ["vocals", "drums", "bass", "piano", "other"]

    /// - Parameters:
    ///   - command: the external tool's command line (`--separator-command`).
    ///   - stems: `NAME=FILE,…` (`--separator-stems`); FILE may use `{stem}` and `{name}`.
    ///   - timeout: seconds before a per-track run of the tool is stopped.
    ///   - model: spleeter weights (`--separator-model`); default the 2-stem file of the cache.
    ///   - threads: threads per spleeter separation (ingest runs one per worker at once).
    public static func make(
        choice: Choice, command: String? = nil, stems: String? = nil,
        timeout: Double = 600, model: String? = nil, threads: Int = 1
    ) throws -> (any Separator)? {
        switch choice {
        case .none: return nil
        case .builtin: return BandsplitSeparator()
        case .imported: return ImportedStemsSeparator()
        case .spleeter: return SpleeterSeparator(model: try spleeterModel(model), threads: threads)
        case .spleeterBandsplit:
            return SpleeterBandsplitSeparator(spleeter: SpleeterSeparator(model: try spleeterModel(model), threads: threads))
        case .command:
            guard let command else { throw PipelineError.invalidOption("--separator command needs --separator-command") }
            do {
                return try CommandSeparator(
                    template: command, stems: try stemMap(stems), timeout: .milliseconds(Int(timeout * 1000)))
            } catch let error as CommandTemplateError {
                throw PipelineError.invalidOption("--separator-command / --separator-stems: \(error)")
            }
        }
    }

    /// Loads spleeter weights: `path`, or the cache's 2-stem file. A missing or corrupt file is
    /// an error naming the command that makes it; nothing falls back to another separator.
    public static func spleeterModel(_ path: String?) throws -> SpleeterModel {
        let url = path.map { URL(fileURLWithPath: $0) } ?? SpleeterWeightsLocation.twoStems()
        let command =
            path == nil
            ? SpleeterWeightsLocation.fetchCommand
            : "tools/convert_spleeter.py CHECKPOINT --layout 2stems|4stems|5stems --output \(url.path)"
        do {
            return SpleeterModel(weights: try SpleeterWeights(contentsOf: url, makeCommand: command))
        } catch {
            throw PipelineError.invalidOption("--separator spleeter: \(error)")
        }
    }

    /// Parses `vocals=vocals.wav,accompaniment=accompaniment.wav` (or bare names, meaning `{stem}.wav`).
    static func stemMap(_ text: String?) throws -> [String: String] {
        guard let text, !text.isEmpty else {
            return Dictionary(uniqueKeysWithValues: defaultCommandStems.map { ($0, "{stem}.wav") })
        }
        var map: [String: String] = [:]
        for item in text.split(separator: ",") {
            let parts = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard let name = parts.first, !name.isEmpty else {
                throw PipelineError.invalidOption("--separator-stems: empty stem name in '\(text)'")
            }
            map[name] = parts.count == 2 ? parts[1] : "{stem}.wav"
        }
        return map
    }
}

import Core
import Foundation
import Separation

/// Builds the separator an ingest run asked for.
public enum SeparatorFactory {
    public enum Choice: Sendable { case builtin, none, command, imported }

    /// spleeter's five stem names, each expected as `{stem}.wav` somewhere in the tool's output.
    public static let defaultCommandStems = ["vocals", "drums", "bass", "piano", "other"]

    /// - Parameters:
    ///   - command: the external tool's command line (`--separator-command`).
    ///   - stems: `NAME=FILE,…` (`--separator-stems`); FILE may use `{stem}` and `{name}`.
    ///   - timeout: seconds before a per-track run of the tool is stopped.
    public static func make(
        choice: Choice, command: String? = nil, stems: String? = nil,
        timeout: Double = 600
    ) throws -> (any Separator)? {
        switch choice {
        case .none: return nil
        case .builtin: return BandsplitSeparator()
        case .imported: return ImportedStemsSeparator()
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

import AudioIO
import Core
import Foundation
import Subprocess

/// Runs an external separation tool (spleeter, demucs, Open-Unmix, …) once per track.
///
/// For each track `separate` makes a private temporary directory, writes the excerpt there as a
/// mono float32 WAV named by the track's content id (`<track id>.wav`: hex digits only, never the
/// track's file name), creates an empty `out` directory beside it and runs the command template's
/// words directly as the process's arguments: no shell is involved (see `CommandTemplate`). A
/// template that wraps a shell itself (`sh -c "… {input} …"`, common for conda or demucs
/// wrappers) would let a file name such as `$(touch x).wav` run commands; naming the input by
/// track id keeps file names out of every argument (docs/SEPARATION.md, "Shell wrappers"). The tool runs with the temporary
/// directory as its working directory, in a session of its own, so a timeout stops it and every
/// process it started (SIGTERM to the process group, SIGKILL two seconds later).
///
/// Afterwards each stem named in `stems` is read from the output directory: the stem's pattern is
/// first tried as an exact relative path, then its file name is searched for anywhere below the
/// output directory (so demucs's `out/htdemucs/<name>/vocals.wav` is found by `"vocals.wav"`).
/// Stems are decoded, down-mixed to mono, resampled to the excerpt's rate (soxr HQ) and trimmed or
/// zero-padded to the excerpt's length when they differ from it by at most `lengthTolerance`
/// samples. The temporary directory is always deleted.
public struct CommandSeparator: Separator {
    /// The parsed command line.
    public let template: CommandTemplate
    /// Stem name → relative path pattern inside the output directory.
    public let stems: [String: String]
    /// How long the tool may run before it is stopped.
    public let timeout: Duration
    /// The largest length difference, in samples at the excerpt's rate, that is trimmed or padded.
    public let lengthTolerance: Int
    /// The separator name recorded in the identity.
    public let name: String

    /// Creates a separator for one tool.
    ///
    /// - Parameters:
    ///   - template: the command line (see `CommandTemplate`); must contain `{input}`.
    ///   - stems: stem name → file name or relative path inside `{output_dir}`. A stem name is
    ///     `[a-z0-9_-]+` (it becomes part of file names). A pattern may use `{stem}` (the stem's
    ///     name) and `{name}` (the input's name without extension: the track id), e.g.
    ///     `["vocals": "{stem}.wav", "accompaniment": "{stem}.wav"]`. Patterns must be relative
    ///     and must not contain `..`.
    ///   - timeout: wall-clock limit for one run of the tool.
    ///   - lengthTolerance: samples (at the excerpt's rate) a stem may be longer or shorter than
    ///     the excerpt and still be trimmed or zero-padded to fit; 2205 is 0.1 s at 22 050 Hz.
    ///   - name: the separator's name in its identity (and so in the store's producer id).
    /// - Throws: `CommandTemplateError` for an unparsable template, a template without `{input}`,
    ///   an unusable stem map, a negative tolerance or a non-positive timeout.
    public init(
        template: String, stems: [String: String], timeout: Duration = .seconds(600), lengthTolerance: Int = 2205,
        name: String = "command"
    ) throws(CommandTemplateError) {
        self.template = try CommandTemplate(template)
        guard !stems.isEmpty else { throw .invalidStems(reason: "no stems given") }
        for (stem, pattern) in stems {
            guard !stem.isEmpty else { throw .invalidStems(reason: "a stem name is empty") }
            guard StemName.isValid(stem) else { throw .invalidStems(reason: StemName.rule(stem)) }
            guard !pattern.isEmpty else { throw .invalidStems(reason: "stem '\(stem)' has an empty file pattern") }
            guard !pattern.hasPrefix("/") else {
                throw .invalidStems(reason: "stem '\(stem)': pattern '\(pattern)' must be relative to {output_dir}")
            }
            guard !pattern.split(separator: "/").contains("..") else {
                throw .invalidStems(reason: "stem '\(stem)': pattern '\(pattern)' must stay inside {output_dir}")
            }
        }
        guard lengthTolerance >= 0 else { throw .invalidLimit(reason: "lengthTolerance \(lengthTolerance) is negative") }
        guard timeout > .zero else { throw .invalidLimit(reason: "timeout \(timeout) is not positive") }
        self.stems = stems
        self.timeout = timeout
        self.lengthTolerance = lengthTolerance
        self.name = name
    }

    /// The parameters that shape the stems (the timeout does not).
    struct Parameters: Encodable {
        var template: String
        var stems: [String: String]
        var lengthTolerance: Int
    }

    public var identity: SeparatorIdentity {
        SeparatorIdentity(
            name: name, version: "1",
            parameters: Parameters(template: template.template, stems: stems, lengthTolerance: lengthTolerance))
    }

    public func separate(_ input: SeparationInput) async throws(SeparationError) -> Stems {
        let source = input.sourcePath
        let fileManager = FileManager.default
        let workDirectory = fileManager.temporaryDirectory.appendingPathComponent("stemtrace-command-\(UUID().uuidString)")
        let outputDirectory = workDirectory.appendingPathComponent("out")
        do {
            try fileManager.createDirectory(at: outputDirectory, withIntermediateDirectories: true)
        } catch {
            throw .io(path: source, reason: "cannot create a temporary directory: \(error.localizedDescription)")
        }
        defer { try? fileManager.removeItem(at: workDirectory) }

        let trackName = Self.inputName(trackId: input.trackId)
        let inputPath = workDirectory.appendingPathComponent(trackName + ".wav").path
        do {
            try AudioWriter.write(input.mix, channels: 1, sampleRate: input.sampleRate, format: .wavFloat, to: inputPath)
        } catch {
            throw .audio(Self.relocate(error, to: source, context: "writing the tool's input"))
        }

        let arguments = template.arguments(input: inputPath, outputDirectory: outputDirectory.path, name: trackName)
        try await run(arguments, workingDirectory: workDirectory.path, source: source)

        var signals: [[Float]] = []
        let names = stems.keys.sorted()
        for stem in names {
            let pattern = CommandTemplate.substitute(["{stem}": stem, "{name}": trackName], in: stems[stem] ?? "")
            let file = try Self.locate(stem: stem, pattern: pattern, in: outputDirectory, source: source)
            signals.append(try readStem(stem, file: file, input: input))
        }
        return try Stems(names: names, signals: signals, length: input.mix.count, path: source)
    }

    /// Runs the words as a process; returns normally only when it exits with status 0.
    private func run(_ arguments: [String], workingDirectory: String, source: String) async throws(SeparationError) {
        do {
            try await ExternalCommand.run(arguments, workingDirectory: workingDirectory, timeout: timeout)
        } catch {
            switch error {
            case let .failed(tool, status, output): throw .toolFailed(path: source, tool: tool, status: status, output: output)
            case let .timedOut(tool, seconds): throw .timeout(path: source, tool: tool, seconds: seconds)
            }
        }
    }

    // MARK: Reading the stems

    /// The stem's file: the exact relative path, else the one file of that name below `directory`.
    private static func locate(stem: String, pattern: String, in directory: URL, source: String) throws(SeparationError)
        -> String
    {
        let exact = directory.appendingPathComponent(pattern)
        if isRegularFile(exact.path) { return exact.path }

        let written = filesBelow(directory)
        let fileName = exact.lastPathComponent
        var matches = written.filter { ($0 as NSString).lastPathComponent == fileName }
        if matches.count > 1 {
            let suffixed = matches.filter { $0.hasSuffix("/" + pattern) }
            if !suffixed.isEmpty { matches = suffixed }
        }
        if matches.count == 1 { return directory.appendingPathComponent(matches[0]).path }
        if matches.count > 1 {
            throw .invalidStems(
                path: source, reason: "stem '\(stem)' is ambiguous: \(fileName) found at \(matches.joined(separator: ", "))")
        }
        let shown = written.prefix(10).joined(separator: ", ") + (written.count > 10 ? ", …" : "")
        throw .missingStem(
            path: source, stem: stem,
            searched: "\(pattern) in the tool's output directory and below; "
                + (written.isEmpty ? "the tool wrote no files" : "the tool wrote \(shown)"))
    }

    private static func isRegularFile(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
    }

    /// Relative paths of every regular file below `directory`, sorted.
    private static func filesBelow(_ directory: URL) -> [String] {
        let root = directory.standardizedFileURL.path
        guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
        var files: [String] = []
        while let relative = walker.nextObject() as? String {
            if isRegularFile(root + "/" + relative) { files.append(relative) }
        }
        return files.sorted()
    }

    /// Decodes, down-mixes, resamples and length-fits one stem file.
    private func readStem(_ stem: String, file: String, input: SeparationInput) throws(SeparationError) -> [Float] {
        let source = input.sourcePath
        let expected = input.mix.count
        let context = "stem '\(stem)'"
        var signal: [Float]
        do {
            let decoded = try AudioDecoder.decode(path: file)
            signal = try Resampler(quality: .high).resample(
                decoded.downmixed(), from: decoded.sampleRate, to: input.sampleRate, path: source)
        } catch {
            switch error {
            case .nonFinite: throw .nonFinite(path: source, stem: stem)
            case .empty: signal = []
            default: throw .audio(Self.relocate(error, to: source, context: context))
            }
        }
        guard abs(signal.count - expected) <= lengthTolerance else {
            throw .lengthMismatch(path: source, stem: stem, expected: expected, actual: signal.count)
        }
        if signal.count > expected {
            signal.removeLast(signal.count - expected)
        } else if signal.count < expected {
            signal.append(contentsOf: repeatElement(0, count: expected - signal.count))
        }
        return signal
    }

    // MARK: Helpers

    /// The input file's name without extension, as the tool sees it (and `{name}`): the track's
    /// content id when it is made of letters, digits, `-` and `_` only (content ids are hex),
    /// else "input". Never derived from the track's file name.
    static func inputName(trackId: String) -> String {
        let safe =
            !trackId.isEmpty && trackId.utf8.count <= 128
            && trackId.unicodeScalars.allSatisfy {
                $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_")
            }
        return safe ? trackId : "input"
    }

    /// The same audio error, naming the track instead of a temporary file.
    private static func relocate(_ error: AudioError, to path: String, context: String) -> AudioError {
        switch error {
        case let .undecodable(_, r): .undecodable(path: path, reason: "\(context): \(r)")
        case let .truncated(_, r): .truncated(path: path, reason: "\(context): \(r)")
        case .empty: .empty(path: path)
        case let .nonFinite(_, i): .nonFinite(path: path, firstIndex: i)
        case .silent: .silent(path: path)
        case let .resampling(_, r): .resampling(path: path, reason: "\(context): \(r)")
        case let .unwritable(_, r): .unwritable(path: path, reason: "\(context): \(r)")
        case let .notARegularFile(_, k): .undecodable(path: path, reason: "\(context): not a regular file but \(k)")
        case let .outOfLimits(_, r): .outOfLimits(path: path, reason: "\(context): \(r)")
        case let .tooLong(_, s, l): .tooLong(path: path, seconds: s, limit: l)
        }
    }
}

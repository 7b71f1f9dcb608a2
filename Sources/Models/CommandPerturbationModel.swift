import Core
import DSP
import Explain
import Foundation
import Inference
import Store

/// An external model behind a command (`--model-command 'TEMPLATE'`), so a researcher can
/// explain a PyTorch (or any) model without porting it.
///
/// Per batch, stemtrace writes the composed log-filtered spectrograms (cut or looped to 1252
/// frames) as a safetensors file with one
/// float32 tensor `input` of shape N × bands × frames, runs the template's words without a shell
/// (`{input}` and `{output}` replaced by the two file paths, see `CommandTemplate` for quoting),
/// and reads back a float32 tensor `output` of shape N × targets (N alone for one target). The
/// target names come from the output file's metadata `labels` (a JSON list or comma-separated
/// names); without it they are `output0`, `output1`, …. Names that match the RF-ResNet's concept
/// names count as mid-level concepts, the rest as outputs. The command is first run once on the
/// all-zero input, which tells the targets and doubles as the all-zero mask's prediction.
public struct CommandPerturbationModel: PerturbationModel {
    public let id: String
    public let frontEnd = LogFilteredSpectrogram()
    public let template: String
    public let targets: [ExplainTarget]
    public let timeout: Duration
    /// The outputs for the all-zero input (one per target).
    public let zeroOutput: [Float]?
    let words: [String]

    public var conceptToOutputWeights: [Float]? { nil }

    /// Parses the template and probes the command with one all-zero input of `bands × frames`.
    public static func connect(
        template: String, timeout: Duration = .seconds(600), bands: Int = 149,
        frames: Int = SpectrogramConfig.paper.modelInputFrames
    ) async throws -> CommandPerturbationModel {
        let words = try CommandTemplate.parse(template)
        guard let first = words.first, !first.isEmpty else {
            throw ModelUseError.invalid("--model-command '\(template)' names no program")
        }
        for placeholder in ["{input}", "{output}"] where !words.contains(where: { $0.contains(placeholder) }) {
            throw ModelUseError.invalid("--model-command '\(template)' must contain \(placeholder)")
        }
        let zero = Spectrogram(bandCount: bands, frameCount: frames, values: [Float](repeating: 0, count: bands * frames))
        let (values, labels) = try await invoke(words, template: template, inputs: [zero], timeout: timeout, targetCount: nil)
        let names = labels ?? (0..<values.count).map { "output\($0)" }
        guard names.count == values.count else {
            throw ModelUseError.invalid(
                "--model-command: the output metadata names \(names.count) labels for \(values.count) targets")
        }
        let concepts = Set(RFResNet.conceptNames)
        return CommandPerturbationModel(
            id: "cmd:" + ContentHash.of(template).prefix(16), template: template,
            targets: names.map { ExplainTarget(name: $0, kind: concepts.contains($0) ? .concept : .output) },
            timeout: timeout, zeroOutput: values, words: words)
    }

    /// The command runs in its own process: `threads` does not reach it.
    public var computesInProcess: Bool { false }

    public func predict(_ inputs: [Spectrogram], threads: Int) async throws -> [Float] {
        if inputs.isEmpty { return [] }
        let sliced = inputs.map { $0.modelInput() }
        return try await Self.invoke(words, template: template, inputs: sliced, timeout: timeout, targetCount: targets.count).0
    }

    /// One run of the command on a batch; returns N × targets values and the labels, if named.
    static func invoke(
        _ words: [String], template: String, inputs: [Spectrogram], timeout: Duration, targetCount: Int?
    ) async throws -> ([Float], [String]?) {
        let fileManager = FileManager.default
        let directory = fileManager.temporaryDirectory.appendingPathComponent("stemtrace-model-\(UUID().uuidString)")
        try fileManager.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? fileManager.removeItem(at: directory) }
        let inputURL = directory.appendingPathComponent("input.safetensors")
        let outputURL = directory.appendingPathComponent("output.safetensors")
        let shape = [inputs.count, inputs[0].bandCount, inputs[0].frameCount]
        var values = [Float]()
        values.reserveCapacity(shape.reduce(1, *))
        for spec in inputs { values += spec.values }
        try Safetensors.write(["input": Tensor(floats: values, shape: shape)], metadata: ["producer": "stemtrace"], to: inputURL)
        let arguments = words.map {
            CommandTemplate.substitute(["{input}": inputURL.path, "{output}": outputURL.path], in: $0)
        }
        do {
            try await ExternalCommand.run(arguments, workingDirectory: directory.path, timeout: timeout)
        } catch {
            throw ModelUseError.invalid("--model-command '\(template)': \(error)")
        }
        guard let data = fileManager.contents(atPath: outputURL.path) else {
            throw ModelUseError.invalid("--model-command '\(template)' wrote no {output} file")
        }
        let (tensors, metadata) = try Safetensors.decodeWithMetadata(data, source: "the model command's output")
        guard let output = tensors["output"] else {
            throw ModelUseError.invalid(
                "--model-command output has no tensor 'output' (found: \(tensors.keys.sorted().joined(separator: ", ")))")
        }
        guard output.dtype == .f32 else {
            throw ModelUseError.invalid("--model-command output 'output' is \(output.dtype.rawValue), expected F32")
        }
        let n = inputs.count
        let perRow = output.shape.count == 1 ? 1 : output.shape.dropFirst().reduce(1, *)
        guard output.shape.first == n, output.shape.count <= 2 else {
            throw ModelUseError.invalid(
                "--model-command output 'output' has shape \(output.shape), expected [\(n), targets]")
        }
        if let targetCount, perRow != targetCount {
            throw ModelUseError.invalid("--model-command returned \(perRow) targets, earlier \(targetCount)")
        }
        let result = try output.floats()
        if let bad = result.firstIndex(where: { !$0.isFinite }) {
            throw ModelUseError.invalid(
                "--model-command returned a non-finite value for input \(bad / perRow), target \(bad % perRow)")
        }
        return (result, labels(in: metadata))
    }

    /// `labels` from the output metadata: a JSON list of strings or comma-separated names.
    static func labels(in metadata: [String: String]) -> [String]? {
        guard let text = metadata["labels"], !text.isEmpty else { return nil }
        if let list = try? JSONDecoder().decode([String].self, from: Data(text.utf8)) { return list }
        return text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    }
}

import ArgumentParser
import DSP
import Foundation
import Pipeline

/// `stemtrace spectrogram AUDIO --output OUT.safetensors [--full]`
struct SpectrogramCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spectrogram",
        abstract:
            "Compute the paper's log-filtered spectrogram of one file as safetensors (tensor 'spectrogram', bands × frames)."
    )

    @Argument(help: "Audio file.")
    var audio: String

    @Option(name: .shortAndLong, help: "Output .safetensors file.")
    var output: String

    @Flag(help: "Use the whole signal instead of the 40-s excerpt.")
    var full = false

    @Option(help: "Excerpt of tracks longer than 40 s: start, middle or offset=SECONDS.")
    var excerpt: String = "middle"

    func validate() throws {
        guard ExcerptPolicy(argument: excerpt) != nil else {
            throw ValidationError("--excerpt must be start, middle or offset=SECONDS")
        }
    }

    func run() throws {
        let config = FrontEndConfig(excerptPolicy: ExcerptPolicy(argument: excerpt) ?? .middle)
        let result = try SpectrogramExport.run(
            audio: URL(fileURLWithPath: audio), output: URL(fileURLWithPath: output),
            full: full, config: config)
        var line = "\(output): spectrogram \(result.bands) × \(result.frames)"
        if let e = result.excerpt {
            line +=
                " (excerpt \(e.policy) from sample \(e.startSample), \(e.sampleCount) samples\(e.looped ? ", looped to the model width" : ""))"
        }
        print(line)
    }
}

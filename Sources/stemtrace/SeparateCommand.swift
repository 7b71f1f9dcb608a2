import ArgumentParser
import Core
import Foundation
import Pipeline

/// `stemtrace separate AUDIO --separator S --output DIR`
struct SeparateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "separate",
        abstract: "Separate one audio file into stems as float WAV files (no store), for listening or checking a separator.",
        discussion: """
            spleeter separates the file as its network works — 44.1 kHz, the file's two channels (mono duplicated) — \
            and writes the network's own stems at that rate and channel count (the files the reference TensorFlow \
            spleeter writes). Other separators get the whole file prepared as ingest prepares a track (mono, 22 050 Hz) \
            and write the stems ingest would store. The largest difference between the input and the sum of the stems \
            is printed: ingest adds spleeter's to one stem so that stems add up to the excerpt.
            """
    )

    @Argument(help: "Audio file.")
    var audio: String

    @Option(help: "Separator: spleeter+bandsplit (default), spleeter or builtin.")
    var separator: SeparatorChoice = .spleeterBandsplit

    @Option(help: "Converted spleeter weights (default: the 2-stem model tools/setup fetches).")
    var separatorModel: String?

    @Option(name: .shortAndLong, help: "Output folder (created when missing); one STEM.wav per stem.")
    var output: String

    @Option(help: "Threads (default: all cores).")
    var threads: Int = ProcessorCount.available

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        guard [.spleeter, .spleeterBandsplit, .builtin].contains(separator) else {
            throw ValidationError("--separator must be spleeter+bandsplit, spleeter or builtin")
        }
    }

    func run() async throws {
        let out = URL(fileURLWithPath: output)
        let file = URL(fileURLWithPath: audio)
        let started = Date()
        let result: FileSeparation.Result
        if separator == .spleeter {
            let model = try SeparatorFactory.spleeterModel(separatorModel)
            result = try FileSeparation.spleeter(audio: file, model: model, threads: threads, output: out)
        } else {
            guard
                let chosen = try SeparatorFactory.make(choice: separator.factoryChoice, model: separatorModel, threads: threads)
            else { throw ValidationError("no separator") }
            result = try await FileSeparation.stored(audio: file, separator: chosen, config: FrontEndConfig(), output: out)
        }
        let elapsed = Date().timeIntervalSince(started)
        for file in result.files { print(file.path) }
        let relative = result.inputPeak > 0 ? 20 * log10(Double(result.residualPeak) / Double(result.inputPeak)) : -.infinity
        print(
            String(
                format:
                    "%.1f s of audio at %d Hz, %d channel(s), separated in %.2f s; max |input − Σ stems| = %.3g (%.1f dB re peak)",
                result.seconds, result.sampleRate, result.channels, elapsed, Double(result.residualPeak), relative))
    }
}

import ArgumentParser
import Foundation
import Pipeline

/// `stemtrace model run MODEL INPUT.safetensors --output OUT.safetensors`
struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model", abstract: "Work with model files.", subcommands: [Run.self])

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a model on the float32 tensor 'input' of a safetensors file and write its outputs as safetensors.",
            discussion: "RF-ResNet: input [N, 1, 149, T] (or [149, T]); outputs concepts, output, embedding.")

        @Argument(help: "Model weights (.safetensors).")
        var model: String

        @Argument(help: "Input .safetensors holding a float32 tensor named 'input'.")
        var input: String

        @Option(name: .shortAndLong, help: "Output .safetensors file.")
        var output: String

        func run() throws {
            let shapes = try ModelRun.run(
                model: URL(fileURLWithPath: model), input: URL(fileURLWithPath: input),
                output: URL(fileURLWithPath: output))
            print("\(output): " + shapes.keys.sorted().map { "\($0) \(shapes[$0] ?? [])" }.joined(separator: ", "))
        }
    }
}

import ArgumentParser
import Foundation
import Models
import Pipeline

/// `stemtrace model run MODEL INPUT.safetensors --output OUT.safetensors`, `stemtrace model info MODEL`
struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model", abstract: "Work with model files.", subcommands: [Run.self, Info.self])

    struct Info: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Describe a model file: kind, content id, tensors, metadata and its training reports.")

        @Argument(help: "Model weights (.safetensors).")
        var model: String

        @Flag(help: "Print JSON instead of text.")
        var json = false

        func run() throws {
            let description = try ModelDescription(contentsOf: URL(fileURLWithPath: model))
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try encoder.encode(description), as: UTF8.self))
            } else {
                print(description.text(), terminator: "")
            }
        }
    }

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

import Foundation
import Inference
import Store
import TestSupport
import Testing

/// `stemtrace model run` on the golden RF-ResNet case c.
@Suite struct ModelRunTests {
    @Test func modelRunWritesConceptsOutputAndEmbeddingMatchingTheGoldens() throws {
        let root = try Fixtures.temporaryDirectory("model-run")
        let cases = try Safetensors.read(contentsOf: Fixtures.url("rfresnet/cases.safetensors"))
        let input = root.appendingPathComponent("in.safetensors")
        let output = root.appendingPathComponent("out.safetensors")
        try Safetensors.write(["input": try #require(cases["c.input"])], to: input)
        let r = try BuiltTool.run([
            "model", "run", Fixtures.url("rfresnet/weights.safetensors").path, input.path, "--output", output.path,
        ])
        #expect(r.status == 0, "\(r.output)")
        let out = try Safetensors.read(contentsOf: output)
        for (name, golden) in [("concepts", "c.concepts"), ("output", "c.output"), ("embedding", "c.stage3")] {
            let mine = try #require(out[name]).floats()
            let expected = try #require(cases[golden]).floats()
            let scale = expected.map(abs).max() ?? 1
            #expect(worstDifference(mine, expected).error <= 1e-4 * scale, "\(name)")
        }
    }

    @Test func inputWithoutTheInputTensorIsNamedInTheError() throws {
        let root = try Fixtures.temporaryDirectory("model-run")
        let input = root.appendingPathComponent("in.safetensors")
        try Safetensors.write(["x": Tensor(floats: [1], shape: [1])], to: input)
        let r = try BuiltTool.run([
            "model", "run", Fixtures.url("rfresnet/weights.safetensors").path, input.path, "--output",
            root.appendingPathComponent("o.safetensors").path,
        ])
        #expect(r.status != 0 && r.output.contains("no tensor named 'input'"))
    }
}

import Core
import Foundation
import Inference
import Models
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

    /// `stemtrace model info --json` on the reference RF-ResNet: kind, id, every tensor's shape.
    @Test func modelInfoDescribesAFileAsJSON() throws {
        let weights = Fixtures.url("rfresnet/weights.safetensors")
        let r = try BuiltTool.run(["model", "info", weights.path, "--json"])
        #expect(r.status == 0, "\(r.output)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.output.utf8)) as? [String: Any])
        let tensors = try Safetensors.read(contentsOf: weights)
        let id = try LoadedModel(contentsOf: weights).id
        #expect(json["kind"] as? String == "rfresnet" && json["id"] as? String == id)
        #expect((json["tensors"] as? [String: [Int]])?["concepts_layer.2.weight"] == [7, 512])
        #expect(json["values"] as? Int == tensors.values.reduce(0) { $0 + $1.count })
        #expect(json["reports"] == nil, "the reference weights carry no training report")
        let text = try BuiltTool.run(["model", "info", weights.path])
        #expect(text.status == 0 && text.output.contains("no training report"))
        let missing = try BuiltTool.run(["model", "info", "/nonexistent/model.safetensors"])
        #expect(missing.status != 0 && missing.output.contains("/nonexistent/model.safetensors"))
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

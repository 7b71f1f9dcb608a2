import Core
import Foundation
import Store
import TestSupport
import Testing

@testable import Inference

/// RF-ResNet parity with the PyTorch goldens (Tests/Fixtures/rfresnet, copied from the
/// maintainers' reference). Tolerance: max abs error ≤ 1e-4 × max|reference| for every output
/// and intermediate (the bound); the reference's own float32-vs-float64 error is ~1e-6.
@Suite struct RFResNetParityTests {
    static let weights = Result { try Safetensors.read(contentsOf: Fixtures.url("rfresnet/weights.safetensors")) }
    static let cases = Result { try Safetensors.read(contentsOf: Fixtures.url("rfresnet/cases.safetensors")) }

    func model() throws -> RFResNet { try RFResNet(weights: try Self.weights.get()) }

    func input(_ c: String) throws -> FeatureMap {
        let t = try #require(try Self.cases.get()["\(c).input"])
        return FeatureMap(batch: t.shape[0], channels: t.shape[1], height: t.shape[2], width: t.shape[3], values: try t.floats())
    }

    func expectClose(_ actual: [Float], _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let golden = try #require(try Self.cases.get()[name], sourceLocation: sourceLocation).floats()
        #expect(
            actual.count == golden.count, "\(name): \(actual.count) values vs \(golden.count)", sourceLocation: sourceLocation)
        guard actual.count == golden.count else { return }
        let scale = golden.map(abs).max() ?? 1
        let worst = worstDifference(actual, golden)
        #expect(
            worst.error <= 1e-4 * scale, "\(name): worst at \(worst.index): \(worst.value) vs \(worst.expected) (scale \(scale))",
            sourceLocation: sourceLocation)
    }

    @Test(arguments: ["a", "b", "c"])
    func conceptsAndOutputsMatchPyTorch(case c: String) throws {
        let result = try model().forward(try input(c))
        try expectClose(result.concepts, "\(c).concepts")
        try expectClose(result.output, "\(c).output")
    }

    @Test func intermediatesOfCaseCMatchPyTorch() throws {
        var seen: [String: FeatureMap] = [:]
        let result = try model().forward(try input("c")) { name, map in seen[name] = map }
        for name in ["in_c", "stage1.block1.conv1", "stage1.block1", "stage1.block2", "stage1", "stage2", "stage3"] {
            let map = try #require(seen[name], "no intermediate \(name)")
            let golden = try #require(try Self.cases.get()["c.\(name)"])
            #expect(map.shape == golden.shape, "\(name) shape")
            try expectClose(map.values, "c.\(name)")
        }
        try expectClose(result.pooled, "c.pooled")
        #expect(result.embedding.shape == [1, 512, 18, 12])
    }

    @Test func coordinateChannelIsBitExact() throws {
        for h in [74, 37, 18] {
            let golden = try #require(try Self.cases.get()["getpad.h\(h)"]).floats()
            let mine = RFResNet.coordinateChannel(height: h)
            // The golden plane may hold the row value repeated along one or more axes.
            #expect(golden.count % h == 0)
            let rows = golden.count / h == 1 ? golden : stride(from: 0, to: golden.count, by: golden.count / h).map { golden[$0] }
            #expect(rows == mine, "getpad.h\(h)")
        }
    }

    @Test func tooShortInputIsAClearError() throws {
        let m = try model()
        #expect(throws: ModelError.self) { try m.forward(FeatureMap(batch: 1, channels: 1, height: 149, width: 8)) }
        #expect(try m.forward(FeatureMap(batch: 1, channels: 1, height: 149, width: 9)).embedding.width == 1)
    }

    @Test func missingOrMisshapenWeightsAreNamed() throws {
        var w = try Self.weights.get()
        w.removeValue(forKey: "stage2.block1.bn2.running_var")
        #expect(throws: ModelError.missingWeight(model: "RFResNet", name: "stage2.block1.bn2.running_var")) {
            try RFResNet(weights: w)
        }
        var v = try Self.weights.get()
        v["feed_forward.weight"] = Tensor(floats: [Float](repeating: 0, count: 21), shape: [3, 7])
        #expect(throws: ModelError.self) { try RFResNet(weights: v) }
    }
}

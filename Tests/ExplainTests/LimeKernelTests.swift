import Explain
import Foundation
import Testing

/// Distances and kernel weights (LIME.md, steps 3 and 4) on hand-checkable masks.
@Suite struct LimeKernelTests {
    @Test func cosineDistanceFollowsTheNumberOfKeptComponents() {
        let masks = MaskSet.exhaustive(componentCount: 4)
        let distances = LimeKernel.cosineDistances(masks)
        #expect(distances.count == 16)
        #expect(distances[0] == 0, "1/sqrt(4) is exact, so row 0's distance is exactly 0 for d = 4")
        #expect(distances[15] == 1.0, "the all-zero row has distance 1")
        for r in 0..<16 {
            let kept = (0..<4).filter { masks[r, $0] }.count
            #expect(abs(distances[r] - (1 - (Double(kept) / 4).squareRoot())) < 1e-15, "row \(r)")
        }
    }

    @Test func rowZeroDistanceIsRoundingNoiseForFiveComponents() {
        let d0 = LimeKernel.cosineDistances(MaskSet.exhaustive(componentCount: 5))[0]
        #expect(d0 >= 0 && d0 < 1e-15)
        #expect(LimeKernel.weight(distance: d0) == 1.0)
    }

    @Test func kernelIsUnnormalisedExpOfMinusEightDSquared() {
        #expect(LimeKernel.weight(distance: 0) == 1.0)
        #expect(abs(LimeKernel.weight(distance: 1) - exp(-8.0)) < 1e-18)
        #expect(abs(LimeKernel.weight(distance: 0.3) - exp(-8 * 0.09)) < 1e-15)
        let weights = LimeKernel.weights(distances: [0, 1, 1])
        #expect(weights.reduce(0, +) > 1, "weights are not normalised")
    }
}

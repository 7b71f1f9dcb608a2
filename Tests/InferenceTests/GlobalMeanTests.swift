import Core
import Testing

@testable import Inference

/// `Kernels.globalMean` sums eight planes side by side; each plane's float64 sum must still be
/// the one-plane-at-a-time loop's, to the bit.
@Suite struct GlobalMeanTests {
    @Test(arguments: [(1, 3), (2, 8), (1, 13), (3, 21)])
    func meansAreThePlaneByPlaneLoopsBytes(shape: (batch: Int, channels: Int)) {
        let (height, width) = (5, 37)
        var generator = SplitMix64(seed: UInt64(shape.channels))
        let count = shape.batch * shape.channels * height * width
        let x = FeatureMap(
            batch: shape.batch, channels: shape.channels, height: height, width: width,
            values: (0..<count).map { _ in Float(generator.nextUnitInterval() * 200 - 100) })
        let plane = height * width
        let expected = (0..<(shape.batch * shape.channels)).map { p -> Float in
            var sum: Double = 0
            for i in (p * plane)..<((p + 1) * plane) { sum += Double(x.values[i]) }
            return Float(sum / Double(plane))
        }
        let means = Kernels.globalMean(x)
        #expect(means.map(\.bitPattern) == expected.map(\.bitPattern))
    }
}

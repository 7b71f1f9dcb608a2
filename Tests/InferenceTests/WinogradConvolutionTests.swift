import Core
import Foundation
import Store
import Synchronization
import TestSupport
import Testing

@testable import Inference

/// The oneDNN Winograd path of the RF-ResNet's 3×3 block convolutions against the im2col path
/// (`Kernels.convolution` with the coordinate channel), on random data. Tolerance: max abs error
/// ≤ 2e-5 × max|im2col| (oneDNN's Winograd measured ≈ 3e-6 relative to its direct convolution).
@Suite struct WinogradConvolutionTests {
    /// A deterministic generator (xorshift) of values in [-1, 1).
    struct Noise {
        var state: UInt64
        mutating func next() -> Float {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return Float(state >> 40) / Float(1 << 23) - 1
        }
        mutating func values(_ count: Int, scale: Float = 1) -> [Float] { (0..<count).map { _ in next() * scale } }
    }

    struct Shape: CustomTestStringConvertible, Sendable {
        let batch: Int
        let channels: Int
        let outChannels: Int
        let height: Int
        let width: Int
        var testDescription: String { "\(batch)×\(channels)→\(outChannels)×\(height)×\(width)" }
    }

    static let shapes = [
        Shape(batch: 1, channels: 16, outChannels: 32, height: 9, width: 13),
        Shape(batch: 3, channels: 32, outChannels: 16, height: 7, width: 21),
        Shape(batch: 2, channels: 128, outChannels: 128, height: 18, width: 37),
        Shape(batch: 2, channels: 128, outChannels: 256, height: 11, width: 5),
    ]

    func expectClose(_ actual: FeatureMap, _ expected: FeatureMap, _ what: String) {
        #expect(actual.shape == expected.shape, "\(what): shape")
        guard actual.shape == expected.shape else { return }
        let scale = expected.values.map(abs).max() ?? 1
        let worst = worstDifference(actual.values, expected.values)
        #expect(
            worst.error <= 2e-5 * scale,
            "\(what): worst at \(worst.index): \(worst.value) vs \(worst.expected) (error \(worst.error / scale) of max)")
    }

    @Test(.enabled(if: WinogradConvolution.isAvailable), arguments: shapes)
    func winogradMatchesIm2col(shape s: Shape) throws {
        var noise = Noise(state: UInt64(0x9E37_79B9 + s.channels * 31 + s.width))
        let input = FeatureMap(
            batch: s.batch, channels: s.channels, height: s.height, width: s.width,
            values: noise.values(s.batch * s.channels * s.height * s.width))
        let weights = noise.values(s.outChannels * (s.channels + 1) * 9, scale: (2 / Float(9 * s.channels)).squareRoot())
        let bn = BatchNormParameters(
            weight: noise.values(s.outChannels).map { 1 + 0.2 * $0 }, bias: noise.values(s.outChannels, scale: 0.1),
            mean: noise.values(s.outChannels, scale: 0.1), variance: noise.values(s.outChannels).map { 1 + 0.5 * $0 })
        let residual = FeatureMap(
            batch: s.batch, channels: s.outChannels, height: s.height, width: s.width,
            values: noise.values(s.batch * s.outChannels * s.height * s.width))
        let rows = RFResNet.coordinateChannel(height: s.height)
        let winograd = WinogradConvolution(
            weights: weights, inChannels: s.channels, outChannels: s.outChannels, workspaces: WinogradWorkspaces())
        #expect(winograd.implementation(height: s.height, width: s.width, threads: 2)?.contains("wino") == true)
        for epilogue in [
            ConvolutionEpilogue(), ConvolutionEpilogue(batchNorm: bn, relu: true),
            ConvolutionEpilogue(batchNorm: bn, residual: residual, relu: true),
        ] {
            let expected = Kernels.convolution(
                input, weights: weights, outChannels: s.outChannels, kernel: 3, padding: 1, rowChannel: rows, epilogue: epilogue,
                threads: 2)
            for threads in [1, 2] {
                let actual = try winograd(input, epilogue: epilogue, threads: threads)
                expectClose(actual, expected, "\(threads) threads, epilogue \(epilogue.isEmpty ? "none" : "bn")")
            }
        }
    }

    /// Forward passes on several threads share one layer (its cached primitive and workspaces).
    @Test(.enabled(if: WinogradConvolution.isAvailable))
    func concurrentCallsAgree() throws {
        var noise = Noise(state: 11)
        let input = FeatureMap(batch: 2, channels: 32, height: 10, width: 23, values: noise.values(2 * 32 * 10 * 23))
        let winograd = WinogradConvolution(
            weights: noise.values(32 * 33 * 9, scale: 0.1), inChannels: 32, outChannels: 32, workspaces: WinogradWorkspaces())
        let expected = try winograd(input, epilogue: ConvolutionEpilogue(relu: true), threads: 1)
        let results = Mutex<[FeatureMap?]>([nil, nil, nil, nil])
        DispatchQueue.concurrentPerform(iterations: 4) { i in
            let y = try? winograd(input, epilogue: ConvolutionEpilogue(relu: true), threads: 1 + i % 2)
            results.withLock { $0[i] = y }
        }
        for y in results.withLock({ $0 }) { expectClose(try #require(y), expected, "concurrent call") }
    }

    /// The coordinate term alone (the epilogue on a zero map) against im2col on the coordinate
    /// plane at full width, including widths 1 and 2 where the edge columns coincide or touch.
    @Test(arguments: [1, 2, 3, 4, 9])
    func coordinateTermMatchesIm2colOfTheCoordinatePlane(width: Int) {
        let height = 5
        let outChannels = 4
        var noise = Noise(state: 77)
        let weights = noise.values(outChannels * 9)
        let rows = RFResNet.coordinateChannel(height: height)
        let plane = FeatureMap(
            batch: 1, channels: 1, height: height, width: width, values: (0..<(height * width)).map { rows[$0 / width] })
        let expected = Kernels.conv2d(plane, weights: weights, outChannels: outChannels, kernel: 3, padding: 1, threads: 1)
        let term = CoordinateTerm(weights: weights, outChannels: outChannels, rowChannel: rows, width: min(width, 3))
        var epilogue = ConvolutionEpilogue()
        epilogue.coordinateTerm = CoordinateTerm(values: term.values, height: height, width: width)
        var actual = FeatureMap(batch: 1, channels: outChannels, height: height, width: width)
        actual.values.withUnsafeMutableBufferPointer { y in
            guard let base = y.baseAddress else { return }
            // Odd ranges, to cross rows mid-way.
            var start = 0
            while start < height * width {
                let count = min(3, height * width - start)
                epilogue.apply(to: base, item: 0, channels: outChannels, plane: height * width, start: start, count: count)
                start += count
            }
        }
        let worst = worstDifference(actual.values, expected.values)
        #expect(worst.error <= 1e-6 * (expected.values.map(abs).max() ?? 1), "worst at \(worst.index)")
    }

    /// The whole network on a batch of two odd-length inputs: Winograd against im2col.
    @Test(.enabled(if: WinogradConvolution.isAvailable))
    func rfResNetWinogradMatchesIm2colOnABatch() throws {
        let weights = try Safetensors.read(contentsOf: Fixtures.url("rfresnet/weights.safetensors"))
        var noise = Noise(state: 5)
        let input = FeatureMap(
            batch: 2, channels: 1, height: 149, width: 203, values: noise.values(2 * 149 * 203).map { abs($0) * 2 })
        var winogradSeen: [String: FeatureMap] = [:]
        var im2colSeen: [String: FeatureMap] = [:]
        let fast = try RFResNet(weights: weights).forward(input, threads: 2) { winogradSeen[$0] = $1 }
        let reference = try RFResNet(weights: weights, winograd: false).forward(input, threads: 2) { im2colSeen[$0] = $1 }
        for (name, map) in im2colSeen.sorted(by: { $0.key < $1.key }) {
            expectClose(try #require(winogradSeen[name]), map, name)
        }
        expectClose(
            FeatureMap(batch: 2, channels: 1, height: 1, width: 7, values: fast.concepts),
            FeatureMap(batch: 2, channels: 1, height: 1, width: 7, values: reference.concepts), "concepts")
    }
}

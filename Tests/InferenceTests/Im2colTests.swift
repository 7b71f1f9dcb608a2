import Core
import Testing

@testable import Inference

/// `Kernels.im2col` against the definition, element by element: every (channel, ky, kx) row
/// holds x[c][oy·s − p + ky][ox·s − p + kx], zero where that falls in the padding (and the row
/// channel's value for the virtual last channel).
@Suite struct Im2colTests {
    @Test(arguments: [(5, 2, 1), (5, 2, 0), (3, 1, 1), (3, 3, 2), (4, 2, 3), (1, 2, 0)])
    func columnsFollowTheDefinition(case shape: (kernel: Int, stride: Int, padding: Int)) {
        let (kernel, stride, padding) = shape
        let (channels, height, width) = (2, 9, 13)
        var generator = SplitMix64(seed: UInt64(kernel * 100 + stride * 10 + padding))
        let x = (0..<(channels * height * width)).map { _ in Float(generator.nextUnitInterval() + 0.5) }
        let rowChannel = (0..<height).map { Float($0) + 100 }
        let outHeight = (height + 2 * padding - kernel) / stride + 1
        let outWidth = (width + 2 * padding - kernel) / stride + 1
        for withRowChannel in [false, true] {
            let rows = (channels + (withRowChannel ? 1 : 0)) * kernel * kernel
            var col = [Float](repeating: .nan, count: rows * outHeight * outWidth)
            x.withUnsafeBufferPointer { xs in
                col.withUnsafeMutableBufferPointer { c in
                    guard let xb = xs.baseAddress, let cb = c.baseAddress else { return }
                    Kernels.im2col(
                        xb, channels: channels, height: height, width: width, kernel: kernel, stride: stride, padding: padding,
                        firstRow: 0, rows: outHeight, outWidth: outWidth, rowChannel: withRowChannel ? rowChannel : nil, into: cb)
                }
            }
            var expected = [Float]()
            for c in 0..<(rows / (kernel * kernel)) {
                for ky in 0..<kernel {
                    for kx in 0..<kernel {
                        for oy in 0..<outHeight {
                            for ox in 0..<outWidth {
                                let (iy, ix) = (oy * stride - padding + ky, ox * stride - padding + kx)
                                let inside = iy >= 0 && iy < height && ix >= 0 && ix < width
                                expected.append(
                                    !inside ? 0 : c == channels ? rowChannel[iy] : x[(c * height + iy) * width + ix])
                            }
                        }
                    }
                }
            }
            #expect(col.map(\.bitPattern) == expected.map(\.bitPattern), "row channel: \(withRowChannel)")
        }
    }
}

import DSP
import Foundation

extension Kernels {

    /// `torch.nn.functional.conv2d` without bias (cross-correlation, zero padding, square kernel),
    /// optionally on the input with one extra channel appended whose value depends only on the row
    /// (`rowChannel[h]`, as the RF-ResNet's coordinate channel; zero-padded like every channel).
    /// Weights are OIHW over `input.channels + (rowChannel == nil ? 0 : 1)` input channels.
    ///
    /// Two paths, chosen by shape, each splitting the output across `threads` workers that call
    /// a single-threaded `sgemm` (`SingleThreadGEMM`):
    /// - 1×1, stride 1, no padding: one gemm on the input (the row channel's share added by the epilogue);
    /// - anything else: im2col over tiles of output rows (the row channel written straight into the
    ///   columns), then one gemm per tile. A shift-and-accumulate variant (k² gemms over a padded
    ///   copy, no im2col) measured no faster here (K = 129 per gemm) and was removed.
    public static func convolution(
        _ input: FeatureMap, weights: [Float], outChannels: Int, kernel: Int, stride: Int = 1,
        padding: Int = 0, rowChannel: [Float]? = nil, epilogue: ConvolutionEpilogue = ConvolutionEpilogue(), threads: Int
    ) -> FeatureMap {
        let extra = rowChannel == nil ? 0 : 1
        let cin = input.channels + extra
        precondition(
            weights.count == outChannels * cin * kernel * kernel, "conv weights do not match \(outChannels)×\(cin)×\(kernel)²")
        precondition(rowChannel.map { $0.count == input.height } ?? true, "one row-channel value per row")
        _ = BLASThreading.singleThreaded  // parallelism comes from the tiles below
        if kernel == 1 && stride == 1 && padding == 0 {
            return pointwise(
                input, weights: weights, outChannels: outChannels, rowChannel: rowChannel, epilogue: epilogue, threads: threads)
        }
        return conv2d(
            input, weights: weights, outChannels: outChannels, kernel: kernel, stride: stride, padding: padding,
            rowChannel: rowChannel, epilogue: epilogue, threads: threads)
    }

    static func pointwise(
        _ x: FeatureMap, weights: [Float], outChannels: Int, rowChannel: [Float]?, epilogue: ConvolutionEpilogue, threads: Int
    ) -> FeatureMap {
        let c = x.channels
        let hw = x.planeSize
        let ldw = c + (rowChannel == nil ? 0 : 1)
        // Every element is written by its chunk's sgemm (beta 0).
        var out = FeatureMap.unfilled(batch: x.batch, channels: outChannels, height: x.height, width: x.width)
        // The row channel's share, w[o, c] · rowChannel[row], is added by the epilogue in its pass
        // over the output (the same sum, (gemm + share) · a + b, as a separate pass would give).
        let epilogue =
            rowChannel.map { rowChannel in
                var withTerm = epilogue
                withTerm.coordinateTerm = weights.withUnsafeBufferPointer { w in
                    CoordinateTerm(
                        pointwise: w, stride: ldw, channel: c, outChannels: outChannels, rowChannel: rowChannel, width: x.width)
                }
                return withTerm
            } ?? epilogue
        let outItem = out.itemSize
        let inItem = x.itemSize
        // Fixed chunking (not by `threads`): each chunk is one sgemm's column count, which changes
        // how the gemm rounds its edge columns; see `Kernels.conv2d`.
        let chunks = max(1, min(2 * Kernels.tilingWorkers, hw / 256))
        let chunk = (hw + chunks - 1) / chunks
        x.values.withUnsafeBufferPointer { xs in
            weights.withUnsafeBufferPointer { ws in
                out.values.withUnsafeMutableBufferPointer { ys in
                    guard let xb = xs.baseAddress, let wb = ws.baseAddress, let yb = ys.baseAddress else { return }
                    let y = UnsafeSendable(yb)
                    let xp = UnsafeSendable(UnsafeMutablePointer(mutating: xb))
                    let wp = UnsafeSendable(UnsafeMutablePointer(mutating: wb))
                    ParallelFor.run(iterations: x.batch * chunks, threads: threads) { job in
                        let xb = xp.pointer
                        let wb = wp.pointer
                        let n = job / chunks
                        let start = (job % chunks) * chunk
                        let count = min(chunk, hw - start)
                        guard count > 0 else { return }
                        SingleThreadGEMM.multiply(
                            m: outChannels, n: count, k: c, a: wb, lda: ldw, b: xb + n * inItem + start, ldb: hw,
                            c: y.pointer + n * outItem + start, ldc: hw)
                        epilogue.apply(to: y.pointer, item: n, channels: outChannels, plane: hw, start: start, count: count)
                    }
                }
            }
        }
        return out
    }
}

/// A pointer handed to `ParallelFor` workers that write disjoint parts of one buffer.
struct UnsafeSendable<T>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<T>
    init(_ pointer: UnsafeMutablePointer<T>) { self.pointer = pointer }
}

import COpenBLAS
import CVectorMath
import Core
import DSP
import Foundation

/// Inference kernels on `FeatureMap`s, batched, matching PyTorch's CPU semantics in float32.
/// Convolution is im2col + a single-threaded `sgemm` per tile (`SingleThreadGEMM`; a 1×1,
/// stride-1, unpadded convolution is a plain gemm on the input); everything else is a single pass
/// over contiguous memory.
public enum Kernels {
    /// `torch.nn.functional.conv2d` without bias: cross-correlation, zero padding, square kernel.
    /// - Parameter weights: OIHW, `outChannels × input.channels × kernel × kernel`.
    public static func conv2d(
        _ input: FeatureMap, weights: [Float], outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0,
        rowChannel: [Float]? = nil, epilogue: ConvolutionEpilogue = ConvolutionEpilogue(),
        threads: Int = ProcessorCount.available
    ) -> FeatureMap {
        let cin = input.channels + (rowChannel == nil ? 0 : 1)
        let h = input.height
        let w = input.width
        precondition(
            weights.count == outChannels * cin * kernel * kernel,
            "conv weights do not match \(outChannels)×\(cin)×\(kernel)×\(kernel)")
        let hOut = (h + 2 * padding - kernel) / stride + 1
        let wOut = (w + 2 * padding - kernel) / stride + 1
        guard hOut > 0, wOut > 0 else {
            return FeatureMap(batch: input.batch, channels: outChannels, height: max(hOut, 0), width: max(wOut, 0))
        }
        // Every element is written: each tile's sgemm (beta 0) covers its rows of every channel.
        var out = FeatureMap.unfilled(batch: input.batch, channels: outChannels, height: hOut, width: wOut)
        let k = cin * kernel * kernel
        // Output rows per im2col tile: each worker's column matrix stays around 8 MiB, and the tiling
        // depends on the layer alone — never on the batch or the thread count — because it sets the
        // column count of each sgemm, and a gemm rounds the edge columns of a call differently
        // from the rest: a result must not depend on which excerpts share its batch (determinism,
        // docs/ARCHITECTURE.md).
        let rowsPerTile = tileRows(
            outputRows: hOut, maxRows: max(1, (2 << 20) / max(1, k * wOut)), threads: Kernels.tilingWorkers)
        let tiles = (hOut + rowsPerTile - 1) / rowsPerTile
        let inItem = input.itemSize
        let outItem = out.itemSize
        _ = BLASThreading.singleThreaded  // parallelism comes from the tiles
        input.values.withUnsafeBufferPointer { x in
            weights.withUnsafeBufferPointer { wt in
                out.values.withUnsafeMutableBufferPointer { y in
                    guard let xb = x.baseAddress, let wb = wt.baseAddress, let yb = y.baseAddress else { return }
                    let xp = UnsafeSendable(UnsafeMutablePointer(mutating: xb))
                    let wp = UnsafeSendable(UnsafeMutablePointer(mutating: wb))
                    let yp = UnsafeSendable(yb)
                    ParallelFor.run(iterations: input.batch * tiles, threads: threads) { job in
                        let n = job / tiles
                        let row0 = (job % tiles) * rowsPerTile
                        let rows = min(rowsPerTile, hOut - row0)
                        let cols = rows * wOut
                        let col = UnsafeMutablePointer<Float>.allocate(capacity: k * cols)
                        defer { col.deallocate() }
                        im2col(
                            xp.pointer + n * inItem, channels: input.channels, height: h, width: w, kernel: kernel,
                            stride: stride, padding: padding, firstRow: row0, rows: rows, outWidth: wOut, rowChannel: rowChannel,
                            into: col)
                        // y[:, row0*wOut ..< (row0+rows)*wOut] = W (out × k) · col (k × cols)
                        SingleThreadGEMM.multiply(
                            m: outChannels, n: cols, k: k, a: wp.pointer, lda: k, b: col, ldb: cols,
                            c: yp.pointer + n * outItem + row0 * wOut, ldc: hOut * wOut)
                        epilogue.apply(
                            to: yp.pointer, item: n, channels: outChannels, plane: hOut * wOut, start: row0 * wOut, count: cols)
                    }
                }
            }
        }
        return out
    }

    /// The worker count tilings are balanced for, whatever the threads actually running: fixed, so
    /// that tile boundaries (and so the bytes of every result) do not depend on the thread count.
    static let tilingWorkers = 8

    /// Output rows per im2col tile: at most `maxRows` (each worker's column matrix ≈ 8 MiB), and,
    /// among those, the tiling whose busiest worker has the fewest rows (then the largest tiles).
    static func tileRows(outputRows: Int, maxRows: Int, threads: Int) -> Int {
        let workers = max(1, threads)
        var best = 1
        var bestLoad = Int.max
        for rows in 1...max(1, min(maxRows, outputRows)) {
            let tiles = (outputRows + rows - 1) / rows
            let load = (tiles + workers - 1) / workers * rows
            if load <= bestLoad {
                best = rows
                bestLoad = load
            }
        }
        return best
    }

    /// Lays out the receptive fields of output rows `firstRow ..< firstRow + rows` as a
    /// (channels·kernel·kernel) × (rows·outWidth) matrix, zero where the kernel reads padding.
    static func im2col(
        _ x: UnsafePointer<Float>, channels: Int, height: Int, width: Int, kernel: Int, stride: Int, padding: Int,
        firstRow: Int, rows: Int, outWidth: Int, rowChannel: [Float]? = nil, into col: UnsafeMutablePointer<Float>
    ) {
        let cols = rows * outWidth
        var r = 0
        // Channel `channels` (when `rowChannel` is given) is virtual: rowChannel[row] everywhere.
        for c in 0..<(channels + (rowChannel == nil ? 0 : 1)) {
            let plane = x + min(c, channels - 1) * height * width
            let constantRow = c == channels ? rowChannel : nil
            for ky in 0..<kernel {
                for kx in 0..<kernel {
                    let dst = col + r * cols
                    for oy in 0..<rows {
                        let iy = (firstRow + oy) * stride - padding + ky
                        let line = dst + oy * outWidth
                        guard iy >= 0, iy < height else {
                            line.update(repeating: 0, count: outWidth)
                            continue
                        }
                        let src = plane + iy * width
                        // Columns ox with 0 ≤ ox·stride − padding + kx < width read the row, the
                        // others padding: found once, then one copy (contiguous at stride 1).
                        let offset = kx - padding
                        let first = min(outWidth, max(0, (-offset + stride - 1) / stride))
                        let last = max(first, min(outWidth, (width - offset + stride - 1) / stride))
                        if first > 0 { line.update(repeating: 0, count: first) }
                        if let constantRow {
                            (line + first).update(repeating: constantRow[iy], count: last - first)
                        } else if stride == 1 {
                            (line + first).update(from: src + (first + offset), count: last - first)
                        } else {
                            for ox in first..<last { line[ox] = src[ox * stride + offset] }
                        }
                        if last < outWidth { (line + last).update(repeating: 0, count: outWidth - last) }
                    }
                    r += 1
                }
            }
        }
    }

    /// Eval-mode batch norm folded as PyTorch's CPU kernel does: y = x·a + b with
    /// a = weight / sqrt(var + eps), b = bias − mean·a; optionally followed by ReLU.
    public static func batchNorm(
        _ x: inout FeatureMap, _ bn: BatchNormParameters, relu: Bool = false,
        threads: Int = ProcessorCount.available
    ) {
        precondition(bn.scale.count == x.channels, "batch norm has \(bn.scale.count) channels, input \(x.channels)")
        let plane = x.planeSize
        let channels = x.channels
        x.values.withUnsafeMutableBufferPointer { v in
            guard let base = v.baseAddress else { return }
            let vp = UnsafeSendable(base)
            ParallelFor.run(iterations: x.batch * channels, threads: threads) { p in
                let a = bn.scale[p % channels]
                let b = bn.shift[p % channels]
                let plane0 = vp.pointer + p * plane
                if relu {
                    for i in 0..<plane { plane0[i] = max(plane0[i] * a + b, 0) }
                } else {
                    for i in 0..<plane { plane0[i] = plane0[i] * a + b }
                }
            }
        }
    }

    /// `max_pool2d(kernel 2, stride 2)`, floor mode: an odd trailing row or column is dropped.
    /// Each plane through `stemtrace_max_pool2x2` (AVX-512 where the CPU has it; the same bytes as
    /// `max(max(a, b), max(c, d))` in Swift, which ran at 4 floats a step).
    public static func maxPool2x2(_ x: FeatureMap, threads: Int = ProcessorCount.available) -> FeatureMap {
        let h = x.height / 2
        let w = x.width / 2
        let inWidth = x.width
        let inPlane = x.planeSize
        var out = FeatureMap.unfilled(batch: x.batch, channels: x.channels, height: h, width: w)
        x.values.withUnsafeBufferPointer { src in
            out.values.withUnsafeMutableBufferPointer { dst in
                guard let sb = src.baseAddress, let db = dst.baseAddress else { return }
                let sp = UnsafeSendable(UnsafeMutablePointer(mutating: sb))
                let dp = UnsafeSendable(db)
                ParallelFor.run(iterations: x.batch * x.channels, threads: threads) { p in
                    stemtrace_max_pool2x2(sp.pointer + p * inPlane, inWidth, dp.pointer + p * h * w, h, w)
                }
            }
        }
        return out
    }

    /// `adaptive_avg_pool2d(1)` + flatten: the mean over height × width, `batch × channels`.
    /// Each plane is summed in float64 in element order; eight planes are summed side by side,
    /// so that eight independent chains of additions overlap (each plane's sum, and so every
    /// byte of the result, is the one-plane-at-a-time loop's).
    public static func globalMean(_ x: FeatureMap) -> [Float] {
        let planes = x.batch * x.channels
        let size = x.planeSize
        var out = [Float](repeating: 0, count: planes)
        x.values.withUnsafeBufferPointer { v in
            guard let base = v.baseAddress else { return }
            var p = 0
            while p + 8 <= planes {
                let r = base + p * size
                var s = SIMD8<Double>(repeating: 0)
                for i in 0..<size {
                    s += SIMD8<Double>(
                        Double(r[i]), Double(r[size + i]), Double(r[2 * size + i]), Double(r[3 * size + i]),
                        Double(r[4 * size + i]), Double(r[5 * size + i]), Double(r[6 * size + i]), Double(r[7 * size + i]))
                }
                for k in 0..<8 { out[p + k] = Float(s[k] / Double(size)) }
                p += 8
            }
            for q in p..<planes {
                var sum: Double = 0
                for i in (q * size)..<((q + 1) * size) { sum += Double(base[i]) }
                out[q] = Float(sum / Double(size))
            }
        }
        return out
    }

    /// `torch.nn.Linear` without bias: y (batch × out) = x (batch × in) · Wᵀ, W is `out × in`.
    ///
    /// One `sgemv` per row rather than one `sgemm` for the batch: sgemm rounds the rows of a
    /// partial micro-tile differently from the others, so an excerpt's result would depend on how
    /// many others share its batch (and so on `--batch-size` and the partition). Row by row, it
    /// depends on the row alone (determinism, docs/ARCHITECTURE.md).
    public static func linear(_ x: [Float], batch: Int, weights: [Float], outFeatures: Int, inFeatures: Int) -> [Float] {
        precondition(x.count == batch * inFeatures && weights.count == outFeatures * inFeatures, "linear shapes do not match")
        var y = [Float](repeating: 0, count: batch * outFeatures)
        x.withUnsafeBufferPointer { a in
            weights.withUnsafeBufferPointer { w in
                y.withUnsafeMutableBufferPointer { out in
                    guard let ab = a.baseAddress, let wb = w.baseAddress, let ob = out.baseAddress else { return }
                    for n in 0..<batch {
                        _ = BLASThreading.singleThreaded
                        cblas_sgemv(
                            CblasRowMajor, CblasNoTrans, Int32(outFeatures), Int32(inFeatures), 1, wb, Int32(inFeatures),
                            ab + n * inFeatures, 1, 0, ob + n * outFeatures, 1)
                    }
                }
            }
        }
        return y
    }
}

/// Batch-norm statistics folded to a per-channel scale and shift (eps 1e-5 by default).
public struct BatchNormParameters: Sendable {
    public let scale: [Float]
    public let shift: [Float]

    public init(weight: [Float], bias: [Float], mean: [Float], variance: [Float], eps: Float = 1e-5) {
        precondition(
            [bias.count, mean.count, variance.count].allSatisfy { $0 == weight.count }, "batch norm vectors differ in length")
        var scale = [Float](repeating: 0, count: weight.count)
        var shift = scale
        for c in 0..<weight.count {
            scale[c] = weight[c] / (variance[c] + eps).squareRoot()
            shift[c] = bias[c] - mean[c] * scale[c]
        }
        self.scale = scale
        self.shift = shift
    }
}

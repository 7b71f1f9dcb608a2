import COpenBLAS
import Foundation

extension Kernels {
    /// `torch.nn.functional.conv2d` without bias (cross-correlation, zero padding, square kernel),
    /// optionally on the input with one extra channel appended whose value depends only on the row
    /// (`rowChannel[h]`, as the RF-ResNet's coordinate channel; zero-padded like every channel).
    /// Weights are OIHW over `input.channels + (rowChannel == nil ? 0 : 1)` input channels.
    ///
    /// Three paths, chosen by shape, each splitting the output across `threads` workers that call
    /// single-threaded OpenBLAS `sgemm`:
    /// - 1×1, stride 1, no padding: one gemm on the input (the row channel is a rank-1 update);
    /// - odd k, stride 1, "same" padding: shift-and-accumulate — a zero-padded copy of the input
    ///   rows, then k² gemms whose right-hand side is that copy offset by (ky, kx) (no im2col);
    /// - anything else: im2col over tiles of output rows, then one gemm per tile.
    public static func convolution(
        _ input: FeatureMap, weights: [Float], outChannels: Int, kernel: Int, stride: Int = 1,
        padding: Int = 0, rowChannel: [Float]? = nil, threads: Int
    ) -> FeatureMap {
        let extra = rowChannel == nil ? 0 : 1
        let cin = input.channels + extra
        precondition(
            weights.count == outChannels * cin * kernel * kernel, "conv weights do not match \(outChannels)×\(cin)×\(kernel)²")
        precondition(rowChannel.map { $0.count == input.height } ?? true, "one row-channel value per row")
        openblas_set_num_threads(1)  // parallelism comes from the tiles below
        if kernel == 1 && stride == 1 && padding == 0 {
            return pointwise(input, weights: weights, outChannels: outChannels, rowChannel: rowChannel, threads: threads)
        }
        if stride == 1 && kernel % 2 == 1 && padding == kernel / 2 {
            return shifted(
                input, weights: weights, outChannels: outChannels, kernel: kernel, rowChannel: rowChannel, threads: threads)
        }
        let x = rowChannel.map { appendRowChannel(input, rowValues: $0) } ?? input
        return conv2d(x, weights: weights, outChannels: outChannels, kernel: kernel, stride: stride, padding: padding)
    }

    static func pointwise(_ x: FeatureMap, weights: [Float], outChannels: Int, rowChannel: [Float]?, threads: Int) -> FeatureMap {
        let c = x.channels
        let hw = x.planeSize
        let ldw = c + (rowChannel == nil ? 0 : 1)
        var out = FeatureMap(batch: x.batch, channels: outChannels, height: x.height, width: x.width)
        let outItem = out.itemSize
        let inItem = x.itemSize
        let width = x.width
        let chunks = max(1, min(threads * 8, hw / 256))
        let chunk = (hw + chunks - 1) / chunks
        x.values.withUnsafeBufferPointer { xs in
            weights.withUnsafeBufferPointer { ws in
                out.values.withUnsafeMutableBufferPointer { ys in
                    guard let xb = xs.baseAddress, let wb = ws.baseAddress, let yb = ys.baseAddress else { return }
                    let y = UnsafeSendable(yb)
                    let xp = UnsafeSendable(UnsafeMutablePointer(mutating: xb))
                    let wp = UnsafeSendable(UnsafeMutablePointer(mutating: wb))
                    DispatchQueue.concurrentPerform(iterations: x.batch * chunks) { job in
                        let xb = xp.pointer
                        let wb = wp.pointer
                        let n = job / chunks
                        let start = (job % chunks) * chunk
                        let count = min(chunk, hw - start)
                        guard count > 0 else { return }
                        let yItem = y.pointer + n * outItem
                        cblas_sgemm(
                            CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(outChannels), Int32(count), Int32(c), 1,
                            wb, Int32(ldw), xb + n * inItem + start, Int32(hw), 0, yItem + start, Int32(hw))
                        if let rowChannel {
                            for o in 0..<outChannels {
                                let w = wb[o * ldw + c]
                                let plane = yItem + o * hw
                                for i in start..<(start + count) { plane[i] += w * rowChannel[i / width] }
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// Stride-1 "same" convolution by shift-and-accumulate over tiles of output rows.
    static func shifted(
        _ x: FeatureMap, weights: [Float], outChannels: Int, kernel k: Int, rowChannel: [Float]?,
        threads: Int
    ) -> FeatureMap {
        let c = x.channels
        let cin = c + (rowChannel == nil ? 0 : 1)
        let h = x.height
        let w = x.width
        let p = k / 2
        let pw = w + 2 * p
        var out = FeatureMap(batch: x.batch, channels: outChannels, height: h, width: w)
        // Reorder weights to [ky][kx][out][in] so each tap is a contiguous out × in matrix.
        var taps = [Float](repeating: 0, count: k * k * outChannels * cin)
        for o in 0..<outChannels {
            for i in 0..<cin {
                for ky in 0..<k {
                    for kx in 0..<k {
                        taps[((ky * k + kx) * outChannels + o) * cin + i] = weights[((o * cin + i) * k + ky) * k + kx]
                    }
                }
            }
        }
        let rowsPerTile = max(1, min(h, 2048 / pw + 1))
        let tiles = (h + rowsPerTile - 1) / rowsPerTile
        // Enough jobs for every worker (libdispatch spreads few long jobs poorly): split the output
        // channels into groups when there are few row tiles.
        let wanted = 8 * max(1, threads)
        let groups = max(1, min(outChannels / 32, (wanted + x.batch * tiles - 1) / (x.batch * tiles)))
        let groupSize = (outChannels + groups - 1) / groups
        let outItem = out.itemSize
        let inItem = x.itemSize
        x.values.withUnsafeBufferPointer { xs in
            taps.withUnsafeBufferPointer { ts in
                out.values.withUnsafeMutableBufferPointer { ys in
                    guard let xb = xs.baseAddress, let tb = ts.baseAddress, let yb = ys.baseAddress else { return }
                    let y = UnsafeSendable(yb)
                    let xp = UnsafeSendable(UnsafeMutablePointer(mutating: xb))
                    let tp = UnsafeSendable(UnsafeMutablePointer(mutating: tb))
                    DispatchQueue.concurrentPerform(iterations: x.batch * tiles * groups) { job in
                        let xb = xp.pointer
                        let tb = tp.pointer
                        let group = job % groups
                        let tileJob = job / groups
                        let n = tileJob / tiles
                        let row0 = (tileJob % tiles) * rowsPerTile
                        let o0 = group * groupSize
                        let oCount = min(groupSize, outChannels - o0)
                        guard oCount > 0 else { return }
                        let rows = min(rowsPerTile, h - row0)
                        // Padded input rows row0-p ..< row0+rows+p (+1 spare row for the last taps' overrun).
                        let paddedRows = rows + 2 * p + 1
                        let padded = UnsafeMutablePointer<Float>.allocate(capacity: cin * paddedRows * pw)
                        let result = UnsafeMutablePointer<Float>.allocate(capacity: oCount * rows * pw)
                        defer {
                            padded.deallocate()
                            result.deallocate()
                        }
                        padded.initialize(repeating: 0, count: cin * paddedRows * pw)
                        let xItem = xb + n * inItem
                        for ch in 0..<cin {
                            for r in 0..<(rows + 2 * p) {
                                let iy = row0 - p + r
                                guard iy >= 0, iy < h else { continue }
                                let dst = padded + (ch * paddedRows + r) * pw + p
                                if ch < c {
                                    dst.update(from: xItem + (ch * h + iy) * w, count: w)
                                } else if let rowChannel {
                                    dst.update(repeating: rowChannel[iy], count: w)
                                }
                            }
                        }
                        let n32 = Int32(rows * pw)
                        for ky in 0..<k {
                            for kx in 0..<k {
                                let tap = (ky * k + kx)
                                cblas_sgemm(
                                    CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(oCount), n32, Int32(cin), 1,
                                    tb + (tap * outChannels + o0) * cin, Int32(cin), padded + ky * pw + kx,
                                    Int32(paddedRows * pw), tap == 0 ? 0 : 1, result, n32)
                            }
                        }
                        // Drop the 2p wrap-around columns of every row.
                        let yItem = y.pointer + n * outItem
                        for o in 0..<oCount {
                            for r in 0..<rows {
                                (yItem + ((o0 + o) * h + row0 + r) * w).update(from: result + (o * rows + r) * pw, count: w)
                            }
                        }
                    }
                }
            }
        }
        return out
    }
}

/// A pointer handed to `concurrentPerform` workers that write disjoint parts of one buffer.
struct UnsafeSendable<T>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<T>
    init(_ pointer: UnsafeMutablePointer<T>) { self.pointer = pointer }
}

import COpenBLAS
import DSP

/// A TensorFlow `conv2d` (`tf.nn.conv2d`, `tf.layers.conv2d`) with stride 1 on a channels-last
/// image: input NHWC (one batch item: height × width × inChannels, contiguous), kernel HWIO
/// (`[kernelHeight, kernelWidth, inChannels, outChannels]`, TF's variable layout, no flip:
/// cross-correlation), output height × width × outChannels, and explicit zero padding on each of
/// the four sides, so rectangular kernels, TF `SAME` padding with an even kernel (the extra zero at
/// the end) and `VALID` are all expressible.
///
/// It is im2col + OpenBLAS `sgemm`: row (oh, ow) of the column matrix holds, for each kernel row
/// dh, the contiguous run input[oh + dh − top, ow − left ..< ow − left + kernelWidth, 0 ..< inChannels]
/// (zero where it reads padding), so the flattened HWIO kernel is the right-hand matrix as stored.
/// The output is produced in tiles of whole output rows, handed to a closure, so callers can fuse
/// their epilogue (bias, activation, pooling) without materialising the whole map.
struct RectangularConvolution: Sendable, Equatable {
    let kernelHeight: Int
    let kernelWidth: Int
    let inChannels: Int
    let outChannels: Int
    let padTop: Int
    let padBottom: Int
    let padLeft: Int
    let padRight: Int

    init(
        kernelHeight: Int, kernelWidth: Int, inChannels: Int, outChannels: Int, padTop: Int = 0, padBottom: Int = 0,
        padLeft: Int = 0, padRight: Int = 0
    ) {
        precondition(kernelHeight > 0 && kernelWidth > 0 && inChannels > 0 && outChannels > 0, "empty convolution")
        precondition(min(padTop, padBottom, padLeft, padRight) >= 0, "negative padding")
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.padTop = padTop
        self.padBottom = padBottom
        self.padLeft = padLeft
        self.padRight = padRight
    }

    /// TF `SAME` padding for a stride-1 kernel of length `k`: (k − 1) div 2 before, the rest after.
    static func samePadding(_ k: Int) -> (before: Int, after: Int) { ((k - 1) / 2, k - 1 - (k - 1) / 2) }

    /// Number of weights: kernelHeight · kernelWidth · inChannels · outChannels.
    var weightCount: Int { kernelHeight * kernelWidth * inChannels * outChannels }

    /// Length of one column-matrix row (the gemm's inner dimension).
    var patchLength: Int { kernelHeight * kernelWidth * inChannels }

    func outputHeight(_ height: Int) -> Int { max(0, height + padTop + padBottom - kernelHeight + 1) }
    func outputWidth(_ width: Int) -> Int { max(0, width + padLeft + padRight - kernelWidth + 1) }

    /// Output rows per tile so that the column matrix stays near `budget` floats (at least one
    /// row). The default, 96 Ki floats (384 KiB), keeps a tile's column matrix in the L2 cache
    /// between im2col writing it and `sgemm` reading it (docs/BENCHMARKS.md, musicnn profile).
    func rowsPerTile(height: Int, width: Int, budget: Int = 96 << 10) -> Int {
        let perRow = max(1, outputWidth(width) * patchLength)
        return max(1, min(outputHeight(height), budget / perRow))
    }

    /// Scratch memory for `forEachTile`, reusable across calls with the same geometry and tile
    /// size. Left uninitialised: im2col writes every column entry and `sgemm` (beta 0) every tile
    /// entry before either is read.
    final class Scratch {
        let columns: UnsafeMutableBufferPointer<Float>
        let tile: UnsafeMutableBufferPointer<Float>

        init(_ conv: RectangularConvolution, height: Int, width: Int, rowsPerTile: Int) {
            let cols = rowsPerTile * conv.outputWidth(width)
            columns = .allocate(capacity: max(1, cols * conv.patchLength))
            tile = .allocate(capacity: max(1, cols * conv.outChannels))
        }

        deinit {
            columns.deallocate()
            tile.deallocate()
        }
    }

    /// Convolves one image and calls `body(firstRow, rows, tile)` for consecutive tiles of output
    /// rows; `tile` holds rows × outputWidth × outChannels values (no bias) and is only valid
    /// during the call.
    func forEachTile(
        input: UnsafePointer<Float>, height: Int, width: Int, weights: UnsafePointer<Float>, rowsPerTile: Int,
        scratch: Scratch, body: (_ firstRow: Int, _ rows: Int, _ tile: UnsafePointer<Float>) -> Void
    ) {
        let hOut = outputHeight(height)
        let wOut = outputWidth(width)
        guard hOut > 0, wOut > 0 else { return }
        let k = patchLength
        precondition(scratch.columns.count >= rowsPerTile * wOut * k, "scratch too small for the tile")
        guard let col = scratch.columns.baseAddress, let out = scratch.tile.baseAddress else { return }
        for row0 in stride(from: 0, to: hOut, by: rowsPerTile) {
            let rows = min(rowsPerTile, hOut - row0)
            im2col(input, height: height, width: width, firstRow: row0, rows: rows, outWidth: wOut, into: col)
            // tile (rows·wOut × outChannels) = columns (rows·wOut × k) · kernel (k × outChannels)
            _ = BLASThreading.singleThreaded
            cblas_sgemm(
                CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows * wOut), Int32(outChannels), Int32(k), 1,
                col, Int32(k), weights, Int32(outChannels), 0, out, Int32(outChannels))
            body(row0, rows, UnsafePointer(out))
        }
    }

    /// The whole output, outputHeight × outputWidth × outChannels, without bias, through
    /// `scratch` (made for this geometry with `rowsPerTile(height:width:)` rows) or a new one.
    func apply(_ input: [Float], height: Int, width: Int, weights: [Float], scratch given: Scratch? = nil) -> [Float] {
        precondition(input.count == height * width * inChannels, "input is not \(height)×\(width)×\(inChannels)")
        precondition(weights.count == weightCount, "kernel is not \(kernelHeight)×\(kernelWidth)×\(inChannels)×\(outChannels)")
        let wOut = outputWidth(width)
        let rowSize = wOut * outChannels
        let rowsPerTile = rowsPerTile(height: height, width: width)
        let scratch = given ?? Scratch(self, height: height, width: width, rowsPerTile: rowsPerTile)
        return [Float](unsafeUninitializedCapacity: outputHeight(height) * rowSize) { y, initialised in
            input.withUnsafeBufferPointer { x in
                weights.withUnsafeBufferPointer { w in
                    guard let xBase = x.baseAddress, let wBase = w.baseAddress, let yBase = y.baseAddress else { return }
                    forEachTile(
                        input: xBase, height: height, width: width, weights: wBase, rowsPerTile: rowsPerTile, scratch: scratch
                    ) { row0, rows, tile in
                        (yBase + row0 * rowSize).update(from: tile, count: rows * rowSize)
                    }
                }
            }
            initialised = outputHeight(height) * rowSize
        }
    }

    /// Column matrix of output rows `firstRow ..< firstRow + rows`: (rows·outWidth) × patchLength.
    func im2col(
        _ x: UnsafePointer<Float>, height: Int, width: Int, firstRow: Int, rows: Int, outWidth: Int,
        into col: UnsafeMutablePointer<Float>
    ) {
        let c = inChannels
        let run = kernelWidth * c
        let k = patchLength
        for oy in 0..<rows {
            for ox in 0..<outWidth {
                let dst = col + (oy * outWidth + ox) * k
                let ix0 = ox - padLeft
                // The part of the kernel row that lies inside the image: kernel columns first ..< last.
                let first = max(0, -ix0)
                let last = min(kernelWidth, width - ix0)
                for dh in 0..<kernelHeight {
                    let line = dst + dh * run
                    let iy = firstRow + oy + dh - padTop
                    guard iy >= 0, iy < height, last > first else {
                        line.update(repeating: 0, count: run)
                        continue
                    }
                    if first > 0 { line.update(repeating: 0, count: first * c) }
                    (line + first * c).update(from: x + (iy * width + ix0 + first) * c, count: (last - first) * c)
                    if last < kernelWidth { (line + last * c).update(repeating: 0, count: (kernelWidth - last) * c) }
                }
            }
        }
    }
}

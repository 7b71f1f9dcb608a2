import COpenBLAS
import Core
import DSP
import Foundation
import Synchronization

/// What the network returns for a batch of `patchCount` patches (all row-major, patch first).
public struct MusicnnOutput: Sendable {
    public let patchCount: Int
    /// `patchCount × 50` sigmoid probabilities, one row per patch (musicnn's taggram).
    public var taggram: [Float]
    /// `patchCount × 50` pre-sigmoid logits.
    public var logits: [Float]
    /// `patchCount × 200`: the batch norm after the 200-unit dense layer + ReLU, per patch (the
    /// correct per-patch values; musicnn 0.1.0's `extractor()` repeats patch 0 for every patch).
    public var penultimate: [Float]
    /// `patchCount × 753`: max over the 187 frames of the mid-end concatenation.
    public var maxPool: [Float]
    /// `patchCount × 753`: mean over the 187 frames of the same.
    public var meanPool: [Float]
    /// The per-frame maps, when requested.
    public var intermediates: MusicnnIntermediates?
}

/// musicnn's named intermediate maps, each `patchCount × 187 × C` (patch, frame, channel).
public struct MusicnnIntermediates: Sendable {
    /// C = 408: the two vertical (timbral) front-end branches f74, f77 after their frequency max.
    public var timbral: [Float]
    /// C = 153: the three horizontal (temporal) branches s1, s2, s3 after their frequency max.
    public var temporal: [Float]
    /// C = 64 each: the three mid-end layers (`cnn2`, `cnn3` include their residual).
    public var cnn1: [Float]
    public var cnn2: [Float]
    public var cnn3: [Float]
}

/// musicnn's `MSD_musicnn` network (Pons & Serra, musicnn 0.1.0, ISC licence), as
/// the maintainers' musicnn reference (MUSICNN.md) §4 describes it, in float32 with TF's layouts and TF
/// variable names (`conv2d/kernel`, `batch_normalization_3/moving_mean`, …):
///
/// - input batch norm (1 channel), then a front end of vertical convs 7×38 and 7×67 (time padded
///   3/3 after the batch norm, VALID in frequency) and horizontal convs 128/64/32×1 (TF SAME in
///   time: extra zero at the end), each conv → +bias → ReLU → batch norm → max over frequency,
///   concatenated to 561 channels (f74, f77, s1, s2, s3);
/// - a mid end of three 7-tap temporal convs over all channels (64 filters, zero "same" padding),
///   the second and third with residual adds after their batch norm;
/// - max and mean over the 187 frames of [front end, m1, m2, m3] (753 channels), **interleaved**
///   (max, mean per channel), batch norm, dense 200 + ReLU + batch norm (the penultimate
///   features), dense 50, sigmoid.
///
/// Every batch norm is in inference mode with epsilon 0.001, after the ReLU; those on the 4-D maps
/// (input, front end, mid end) are evaluated centred, (x − mean) · scale + beta, as TF's
/// `FusedBatchNorm` does, the two on vectors folded, x · scale + (beta − mean · scale), as TF's
/// `nn.batch_normalization` does. The timbral convolutions run as Winograd F(5, 7) along time
/// (`WinogradTimeConvolution`), the others as im2col + `sgemm` (`RectangularConvolution`); the max
/// over frequency is taken on the conv output
/// before the (monotone) bias/ReLU/batch norm, which gives the same values as TF's order because
/// every one of those float operations is monotone (antitone for a negative batch-norm scale, where
/// the minimum is taken instead). Patches are independent; a batch of any size gives the same
/// per-patch results as musicnn's one-patch-at-a-time loop up to float rounding.
///
/// ```swift
/// let model = try MusicnnModel()                     // the bundled MSD_musicnn weights
/// let output = model.predict(try MusicnnFrontEnd().patches(samples))
/// output.taggram   // patchCount × 50, labels in MusicnnModel.labels order
/// ```
public struct MusicnnModel: Sendable {
    /// The 50 Million Song Dataset tags in output order (musicnn's `MSD_LABELS`, `labels.json`).
    public static let labels = [
        "rock", "pop", "alternative", "indie", "electronic", "female vocalists", "dance", "00s", "alternative rock", "jazz",
        "beautiful", "metal", "chillout", "male vocalists", "classic rock", "soul", "indie rock", "Mellow", "electronica",
        "80s", "folk", "90s", "chill", "instrumental", "punk", "oldies", "blues", "hard rock", "ambient", "acoustic",
        "experimental", "female vocalist", "guitar", "Hip-Hop", "70s", "party", "country", "easy listening", "sexy",
        "catchy", "funk", "electro", "heavy metal", "Progressive rock", "60s", "rnb", "indie pop", "sad", "House", "happy",
    ]
    public static let tagCount = 50
    public static let penultimateSize = 200
    /// Channels of the mid-end concatenation: 561 front end + 3 × 64 mid end.
    public static let pooledChannels = 753
    public static let frontEndChannels = 561
    public static let timbralChannels = 408
    public static let temporalChannels = 153
    public static let midEndChannels = 64
    /// TF1 `tf.layers.batch_normalization`'s default epsilon.
    public static let batchNormEpsilon: Float = 0.001
    /// The timbral filters' zero padding in time before the first frame (TF SAME for 7 taps: 3/3).
    static let timbralPadding = RectangularConvolution.samePadding(7).before
    /// Frames per Winograd tile of the timbral filters, and tiles per block of `sgemm` calls: F(5, 7)
    /// one tile at a time was the fastest of m = 2 … 6 and 1 … 8 tiles, and as accurate as F(4, 7);
    /// F(6, 7) needs the points ±1/3 and doubles the error (docs/BENCHMARKS.md, "musicnn with
    /// Winograd along time").
    static let timbralOutputTile = 5
    static let timbralTilesPerBlock = 1
    static let name = "musicnn"
    static let resourceDirectory = "musicnn-msd"
    static let weightsFile = "msd_musicnn.safetensors"

    /// A convolution with its bias and the batch norm that follows its ReLU.
    struct Layer: Sendable {
        let conv: RectangularConvolution
        let kernel: [Float]
        let bias: [Float]
        let norm: CentredBatchNorm
        /// +1 where the batch-norm scale is ≥ 0, −1 where it is negative.
        let signs: [Float]
        /// The kernel with each output channel multiplied by its sign (exact), so that a plain max
        /// over frequency of its output is signs[c] · (max of z for scale ≥ 0, min of z otherwise).
        let poolingKernel: [Float]

        init(conv: RectangularConvolution, kernel: [Float], bias: [Float], norm: CentredBatchNorm) {
            self.conv = conv
            self.kernel = kernel
            self.bias = bias
            self.norm = norm
            signs = norm.scale.map { $0 < 0 ? -1 : 1 }
            let n = conv.outChannels
            poolingKernel = kernel.indices.map { [signs] in kernel[$0] * signs[$0 % n] }
        }

        /// bias, ReLU, batch norm for channel c: (max(z + bias, 0) − mean) · scale + beta.
        @inline(__always)
        func activate(_ z: Float, channel c: Int) -> Float { (max(z + bias[c], 0) - norm.mean[c]) * norm.scale[c] + norm.beta[c] }

        /// The batch-norm output of the frequency max, from the max of the `poolingKernel` output.
        /// bias → ReLU → batch norm is monotone in z (antitone for a negative scale) and so are its
        /// float32 roundings, so this equals the max over frequency of the activated map.
        @inline(__always)
        func activatePooled(_ signedMax: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>) {
            for c in 0..<conv.outChannels { out[c] = activate(signs[c] * signedMax[c], channel: c) }
        }
    }

    let inputNorm: CentredBatchNorm
    /// f74 (`conv2d`), f77 (`conv2d_1`).
    let timbral: [Layer]
    /// f74 and f77 as Winograd F(timbralOutputTile, 7) along time, from their `poolingKernel`s.
    let timbralWinograd: [WinogradTimeConvolution]
    /// s1, s2, s3 (`conv2d_2` … `conv2d_4`), kernels stored as [1, k, 1, 51] for the transposed input.
    let temporal: [Layer]
    /// `conv2d_5` … `conv2d_7`.
    let midEnd: [Layer]
    let poolNorm: BatchNormParameters
    let denseKernel: [Float]
    let denseBias: [Float]
    let denseNorm: BatchNormParameters
    let outputKernel: [Float]
    let outputBias: [Float]
    /// Scratch memory kept between calls (a tagging or explanation run calls `predict` many times;
    /// fresh column buffers cost page faults on every call).
    let workspaces = WorkspacePool()

    /// Loads the bundled `MSD_musicnn` weights (Sources/Inference/Resources/musicnn-msd).
    public init() throws(ModelError) {
        guard let url = Self.bundledWeightsURL else {
            throw .unreadable(path: "\(Self.resourceDirectory)/\(Self.weightsFile)", reason: "not found in the Inference bundle")
        }
        try self.init(contentsOf: url)
    }

    /// Loads a safetensors file with TF variable names (as msd_musicnn.safetensors).
    public init(contentsOf url: URL) throws(ModelError) {
        let tensors: [String: Tensor]
        do { tensors = try Safetensors.read(contentsOf: url) } catch {
            throw .unreadable(path: url.path, reason: error.description)
        }
        try self.init(weights: tensors)
    }

    /// Builds the network from named tensors, checking every shape against the architecture.
    public init(weights: [String: Tensor]) throws(ModelError) {
        let table = TFWeights(table: WeightTable(model: Self.name, tensors: weights))
        inputNorm = try table.centredBatchNorm("batch_normalization", channels: 1)
        let time = RectangularConvolution.samePadding(7)
        timbral = [
            try table.layer(
                conv: "conv2d", norm: "batch_normalization_1",
                RectangularConvolution(
                    kernelHeight: 7, kernelWidth: 38, inChannels: 1, outChannels: 204, padTop: time.before,
                    padBottom: time.after)),
            try table.layer(
                conv: "conv2d_1", norm: "batch_normalization_2",
                RectangularConvolution(
                    kernelHeight: 7, kernelWidth: 67, inChannels: 1, outChannels: 204, padTop: time.before,
                    padBottom: time.after)),
        ]
        timbralWinograd = timbral.map {
            WinogradTimeConvolution(
                kernel: $0.poolingKernel, kernelHeight: $0.conv.kernelHeight, kernelWidth: $0.conv.kernelWidth,
                channels: $0.conv.outChannels, outputTile: Self.timbralOutputTile)
        }
        temporal = try [(2, 128), (3, 64), (4, 32)].map { (index, length) throws(ModelError) in
            let pad = RectangularConvolution.samePadding(length)
            // TF stores [k, 1, 1, 51] (time first); on the transposed input (frequency × time) the same
            // numbers are a [1, k, 1, 51] kernel.
            return try table.layer(
                conv: "conv2d_\(index)", norm: "batch_normalization_\(index + 1)",
                RectangularConvolution(
                    kernelHeight: 1, kernelWidth: length, inChannels: 1, outChannels: 51, padLeft: pad.before,
                    padRight: pad.after), storedShape: [length, 1, 1, 51])
        }
        midEnd = try [(5, Self.frontEndChannels), (6, Self.midEndChannels), (7, Self.midEndChannels)].map {
            (index, channels) throws(ModelError) in
            // TF's [7, C, 1, 64] (a 2-D conv whose width spans all channels) is a [7, 1, C, 64] conv on
            // frames × 1 × C: the same numbers in the same order.
            try table.layer(
                conv: "conv2d_\(index)", norm: "batch_normalization_\(index + 1)",
                RectangularConvolution(
                    kernelHeight: 7, kernelWidth: 1, inChannels: channels, outChannels: Self.midEndChannels,
                    padTop: time.before, padBottom: time.after), storedShape: [7, channels, 1, Self.midEndChannels])
        }
        poolNorm = try table.batchNorm("batch_normalization_9", channels: 2 * Self.pooledChannels)
        denseKernel = try table.exact("dense/kernel", [2 * Self.pooledChannels, Self.penultimateSize])
        denseBias = try table.exact("dense/bias", [Self.penultimateSize])
        denseNorm = try table.batchNorm("batch_normalization_10", channels: Self.penultimateSize)
        outputKernel = try table.exact("dense_1/kernel", [Self.penultimateSize, Self.tagCount])
        outputBias = try table.exact("dense_1/bias", [Self.tagCount])
    }

    /// The bundled `msd_musicnn.safetensors` (ISC licence, see `LICENSE` beside it), nil when the
    /// resource is missing from the build.
    public static var bundledWeightsURL: URL? { bundledFile(weightsFile) }

    /// A file of the bundled resource directory (weights, labels.json, LICENSE).
    static func bundledFile(_ name: String) -> URL? {
        guard let directory = Bundle.module.url(forResource: resourceDirectory, withExtension: nil) else { return nil }
        let url = directory.appendingPathComponent(name)
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }

    // MARK: Forward pass

    /// Runs the network on every patch. `keepIntermediates` also returns the per-frame maps
    /// (`timbral`, `temporal`, `cnn1` … `cnn3`). Patches are independent: they run in parallel on
    /// `threads` threads, each with single-threaded OpenBLAS (`BLASThreading`), so a patch's values
    /// never depend on the thread count or on how many patches share the call. The dense layers
    /// then run row by row. Safe to call concurrently: every patch in flight takes a workspace of
    /// its own from the model's pool (`WorkspacePool`) and gives it back when done.
    public func predict(
        _ patches: MusicnnPatches, keepIntermediates: Bool = false, threads: Int = ProcessorCount.available
    ) -> MusicnnOutput {
        _ = BLASThreading.singleThreaded
        let p = patches.count
        let pooled = Self.pooledChannels
        var pooledVector = [Float](repeating: 0, count: p * 2 * pooled)
        var maxPool = [Float](repeating: 0, count: p * pooled)
        var meanPool = [Float](repeating: 0, count: p * pooled)
        var intermediates: MusicnnIntermediates?
        if keepIntermediates {
            intermediates = MusicnnIntermediates(timbral: [], temporal: [], cnn1: [], cnn2: [], cnn3: [])
            let workspace = workspaces.take(for: self)
            defer { workspaces.give(workspace) }
            for index in 0..<p {
                let maps = patchMap(index, of: patches, workspace: workspace)
                maxPool.withUnsafeMutableBufferPointer { mx in
                    meanPool.withUnsafeMutableBufferPointer { mn in
                        pooledVector.withUnsafeMutableBufferPointer { pv in
                            Self.pool(maps, patch: index, maxPool: mx, meanPool: mn, pooledVector: pv)
                        }
                    }
                }
                intermediates?.append(maps)
            }
        } else {
            maxPool.withUnsafeMutableBufferPointer { mx in
                meanPool.withUnsafeMutableBufferPointer { mn in
                    pooledVector.withUnsafeMutableBufferPointer { pv in
                        guard let mxb = mx.baseAddress, let mnb = mn.baseAddress, let pvb = pv.baseAddress else { return }
                        let outputs = (UnsafeSendable(mxb), UnsafeSendable(mnb), UnsafeSendable(pvb))
                        let count = (mx.count, mn.count, pv.count)
                        ParallelFor.run(iterations: p, threads: threads) { index in
                            let workspace = workspaces.take(for: self)
                            defer { workspaces.give(workspace) }
                            let maps = patchMap(index, of: patches, workspace: workspace)
                            // Each patch writes only its own rows of the three outputs.
                            Self.pool(
                                maps, patch: index, maxPool: UnsafeMutableBufferPointer(start: outputs.0.pointer, count: count.0),
                                meanPool: UnsafeMutableBufferPointer(start: outputs.1.pointer, count: count.1),
                                pooledVector: UnsafeMutableBufferPointer(start: outputs.2.pointer, count: count.2))
                        }
                    }
                }
            }
        }
        Self.normalise(&pooledVector, poolNorm, relu: false)
        var penultimate = Self.dense(
            pooledVector, rows: p, kernel: denseKernel, bias: denseBias, inputs: 2 * pooled, outputs: Self.penultimateSize)
        Self.normalise(&penultimate, denseNorm, relu: true)
        let logits = Self.dense(
            penultimate, rows: p, kernel: outputKernel, bias: outputBias, inputs: Self.penultimateSize, outputs: Self.tagCount)
        let taggram = logits.map { 1 / (1 + exp(-$0)) }
        return MusicnnOutput(
            patchCount: p, taggram: taggram, logits: logits, penultimate: penultimate, maxPool: maxPool, meanPool: meanPool,
            intermediates: intermediates)
    }

    /// Per-frame maps of one patch, all `187 × C`.
    struct PatchMaps {
        var frontEnd: [Float]
        var cnn1: [Float]
        var cnn2: [Float]
        var cnn3: [Float]
    }

    /// Scratch buffers for one patch at a time.
    /// The maps of patch `index`.
    private func patchMap(_ index: Int, of patches: MusicnnPatches, workspace: Workspace) -> PatchMaps {
        let start = index * MusicnnFrontEnd.patchSize
        return patches.values.withUnsafeBufferPointer { v in
            patchMaps(v.baseAddress.map { $0 + start }, workspace: workspace)
        }
    }

    /// Pools one patch's maps over time into its rows of the outputs: `maxPool` and `meanPool`
    /// (patch × 753) and `pooledVector` (patch × 1506, interleaved max, mean).
    private static func pool(
        _ maps: PatchMaps, patch index: Int, maxPool: UnsafeMutableBufferPointer<Float>,
        meanPool: UnsafeMutableBufferPointer<Float>, pooledVector: UnsafeMutableBufferPointer<Float>
    ) {
        let pooled = pooledChannels
        let c0 = index * pooled
        var channel = 0
        for (map, width) in [
            (maps.frontEnd, frontEndChannels), (maps.cnn1, midEndChannels), (maps.cnn2, midEndChannels),
            (maps.cnn3, midEndChannels),
        ] {
            poolOverTime(map, frames: MusicnnFrontEnd.patchFrames, channels: width) { c, maxValue, meanValue in
                maxPool[c0 + channel + c] = maxValue
                meanPool[c0 + channel + c] = meanValue
            }
            channel += width
        }
        for c in 0..<pooled {
            // Interleaved: v[2c] = max, v[2c + 1] = mean (the [753, 2] stack flattened row-major).
            pooledVector[(index * pooled + c) * 2] = maxPool[c0 + c]
            pooledVector[(index * pooled + c) * 2 + 1] = meanPool[c0 + c]
        }
    }

    /// Workspaces for patches running in parallel, kept for the model's lifetime: each is used by
    /// one patch at a time, and at most as many exist as patches ever ran at once.
    final class WorkspacePool: Sendable {
        private let free = Mutex<[WorkspaceBox]>([])

        func take(for model: MusicnnModel) -> Workspace {
            free.withLock { $0.popLast()?.workspace } ?? Workspace(model: model)
        }
        func give(_ workspace: Workspace) { free.withLock { $0.append(WorkspaceBox(workspace: workspace)) } }
    }

    /// A workspace handed between threads through the pool, never used by two at once.
    struct WorkspaceBox: @unchecked Sendable {
        let workspace: Workspace
    }

    final class Workspace {
        /// The normalised input with the timbral filters' time padding around it: rows before and
        /// after it are zero from creation and never written.
        let timePadded: UnsafeMutableBufferPointer<Float>
        let transposed: UnsafeMutableBufferPointer<Float>
        /// frames × 204: one timbral layer's max over frequency per frame.
        let frameMaxima: UnsafeMutablePointer<Float>
        let timbralScratch: [WinogradTimeConvolution.Scratch]
        let temporalScratch: [RectangularConvolution.Scratch]
        let temporalRows: [Int]
        let midEndScratch: [RectangularConvolution.Scratch]

        init(model: MusicnnModel) {
            let frames = MusicnnFrontEnd.patchFrames
            let bands = MusicnnFrontEnd.melBandCount
            let rows = model.timbralWinograd.map { $0.paddedRows(frames: frames) }.max() ?? 0
            timePadded = .allocate(capacity: max(rows, frames + 2 * MusicnnModel.timbralPadding) * bands)
            timePadded.initialize(repeating: 0)
            transposed = .allocate(capacity: frames * bands)
            frameMaxima = .allocate(capacity: frames * (model.timbral.map(\.conv.outChannels).max() ?? 0))
            timbralScratch = model.timbralWinograd.map {
                WinogradTimeConvolution.Scratch($0, bands: bands, tilesPerBlock: MusicnnModel.timbralTilesPerBlock)
            }
            temporalRows = model.temporal.map { $0.conv.rowsPerTile(height: bands, width: frames) }
            temporalScratch = zip(model.temporal, temporalRows).map {
                RectangularConvolution.Scratch($0.conv, height: bands, width: frames, rowsPerTile: $1)
            }
            midEndScratch = model.midEnd.map {
                RectangularConvolution.Scratch(
                    $0.conv, height: frames, width: 1, rowsPerTile: $0.conv.rowsPerTile(height: frames, width: 1))
            }
        }

        deinit {
            timePadded.deallocate()
            transposed.deallocate()
            frameMaxima.deallocate()
        }
    }

    private func patchMaps(_ patch: UnsafePointer<Float>?, workspace ws: Workspace) -> PatchMaps {
        let frames = MusicnnFrontEnd.patchFrames
        let bands = MusicnnFrontEnd.melBandCount
        let width = Self.frontEndChannels
        var frontEnd = [Float](repeating: 0, count: frames * width)
        guard let patch, let xp = ws.timePadded.baseAddress, let xt = ws.transposed.baseAddress else {
            return PatchMaps(frontEnd: frontEnd, cnn1: [], cnn2: [], cnn3: [])
        }
        // The normalised input inside its time padding (the rows around it stay zero).
        let xn = xp + Self.timbralPadding * bands
        // Input batch norm (one channel); the convs' zero padding comes after it.
        let (mean, scale, beta) = (inputNorm.mean[0], inputNorm.scale[0], inputNorm.beta[0])
        for i in 0..<(frames * bands) { xn[i] = (patch[i] - mean) * scale + beta }
        for t in 0..<frames {
            for m in 0..<bands { xt[m * frames + t] = xn[t * bands + m] }
        }
        frontEnd.withUnsafeMutableBufferPointer { outBuffer in
            guard let out = outBuffer.baseAddress else { return }
            // Vertical filters (Winograd along time): the max over frequency of each frame's outputs.
            var offset = 0
            for (i, layer) in timbral.enumerated() {
                let channels = layer.conv.outChannels
                timbralWinograd[i].frameMaxima(
                    padded: xp, frames: frames, bands: bands, scratch: ws.timbralScratch[i], into: ws.frameMaxima)
                for t in 0..<frames {
                    layer.activatePooled(ws.frameMaxima + t * channels, into: out + t * width + offset)
                }
                offset += channels
            }
            // Horizontal filters on the transposed input: output rows are mel bins, columns frames;
            // the max runs over rows, accumulated across tiles.
            for (i, layer) in temporal.enumerated() {
                let channels = layer.conv.outChannels
                let plane = frames * channels
                var best = [Float](repeating: -.infinity, count: plane)
                layer.poolingKernel.withUnsafeBufferPointer { k in
                    best.withUnsafeMutableBufferPointer { bestBuffer in
                        guard let kBase = k.baseAddress, let b = bestBuffer.baseAddress else { return }
                        layer.conv.forEachTile(
                            input: xt, height: bands, width: frames, weights: kBase, rowsPerTile: ws.temporalRows[i],
                            scratch: ws.temporalScratch[i]
                        ) { _, rows, tile in
                            Self.maximum(tile, rows: rows, width: plane, into: b)
                        }
                        for t in 0..<frames { layer.activatePooled(b + t * channels, into: out + t * width + offset) }
                    }
                }
                offset += channels
            }
        }
        let cnn1 = midEndLayer(midEnd[0], frontEnd, residual: nil, scratch: ws.midEndScratch[0])
        let cnn2 = midEndLayer(midEnd[1], cnn1, residual: cnn1, scratch: ws.midEndScratch[1])
        let cnn3 = midEndLayer(midEnd[2], cnn2, residual: cnn2, scratch: ws.midEndScratch[2])
        return PatchMaps(frontEnd: frontEnd, cnn1: cnn1, cnn2: cnn2, cnn3: cnn3)
    }

    /// best[i] = max(best[i], z[row, i]) over `rows` rows of `width` values. (A plain comparison in
    /// a `while` loop: the hottest non-BLAS loop, kept free of generic calls for debug builds.)
    private static func maximum(_ z: UnsafePointer<Float>, rows: Int, width: Int, into best: UnsafeMutablePointer<Float>) {
        var line = z
        let end = z + rows * width
        while line < end {
            var i = 0
            while i < width {
                let v = line[i]
                let b = best[i]
                best[i] = v > b ? v : b
                i += 1
            }
            line += width
        }
    }

    /// One mid-end layer on a 187 × C map: 7-tap conv over time, bias, ReLU, batch norm, + residual.
    private func midEndLayer(
        _ layer: Layer, _ input: [Float], residual: [Float]?, scratch: RectangularConvolution.Scratch
    ) -> [Float] {
        let frames = MusicnnFrontEnd.patchFrames
        var out = layer.conv.apply(input, height: frames, width: 1, weights: layer.kernel, scratch: scratch)
        let n = layer.conv.outChannels
        out.withUnsafeMutableBufferPointer { y in
            for t in 0..<frames {
                for c in 0..<n { y[t * n + c] = layer.activate(y[t * n + c], channel: c) }
            }
            if let residual {
                for i in 0..<y.count { y[i] += residual[i] }
            }
        }
        return out
    }

    /// Max and mean over the frames of a `frames × channels` map, per channel.
    private static func poolOverTime(_ map: [Float], frames: Int, channels: Int, _ body: (Int, Float, Float) -> Void) {
        var maxima = [Float](repeating: -.infinity, count: channels)
        var sums = [Double](repeating: 0, count: channels)
        map.withUnsafeBufferPointer { m in
            for t in 0..<frames {
                for c in 0..<channels {
                    let v = m[t * channels + c]
                    maxima[c] = max(maxima[c], v)
                    sums[c] += Double(v)
                }
            }
        }
        for c in 0..<channels { body(c, maxima[c], Float(sums[c] / Double(frames))) }
    }

    /// In-place batch norm over the last axis (optionally after a ReLU).
    private static func normalise(_ x: inout [Float], _ bn: BatchNormParameters, relu: Bool) {
        let n = bn.scale.count
        x.withUnsafeMutableBufferPointer { v in
            for i in 0..<v.count {
                let c = i % n
                v[i] = bn.scale[c] * (relu ? max(v[i], 0) : v[i]) + bn.shift[c]
            }
        }
    }

    /// y (rows × outputs) = x (rows × inputs) · kernel (inputs × outputs, TF layout) + bias, one
    /// `sgemv` per row so that a patch's result does not depend on how many patches share the call
    /// (see `Kernels.linear`).
    private static func dense(_ x: [Float], rows: Int, kernel: [Float], bias: [Float], inputs: Int, outputs: Int) -> [Float] {
        var y = [Float](repeating: 0, count: rows * outputs)
        for r in 0..<rows {
            for o in 0..<outputs { y[r * outputs + o] = bias[o] }
        }
        x.withUnsafeBufferPointer { a in
            kernel.withUnsafeBufferPointer { w in
                y.withUnsafeMutableBufferPointer { out in
                    guard let ab = a.baseAddress, let wb = w.baseAddress, let ob = out.baseAddress else { return }
                    for r in 0..<rows {
                        _ = BLASThreading.singleThreaded
                        cblas_sgemv(
                            CblasRowMajor, CblasTrans, Int32(inputs), Int32(outputs), 1, wb, Int32(outputs), ab + r * inputs, 1,
                            1, ob + r * outputs, 1)
                    }
                }
            }
        }
        return y
    }
}

extension MusicnnIntermediates {
    mutating func append(_ maps: MusicnnModel.PatchMaps) {
        let width = MusicnnModel.frontEndChannels
        let split = MusicnnModel.timbralChannels
        for t in 0..<MusicnnFrontEnd.patchFrames {
            timbral.append(contentsOf: maps.frontEnd[(t * width)..<(t * width + split)])
            temporal.append(contentsOf: maps.frontEnd[(t * width + split)..<((t + 1) * width)])
        }
        cnn1.append(contentsOf: maps.cnn1)
        cnn2.append(contentsOf: maps.cnn2)
        cnn3.append(contentsOf: maps.cnn3)
    }
}

/// Shape-checked access to TF-named weights.
private struct TFWeights {
    let table: WeightTable

    func exact(_ name: String, _ shape: [Int]) throws(ModelError) -> [Float] {
        let (actual, values) = try table.tensor(name, rank: shape.count)
        guard actual == shape else {
            throw .weightShape(model: table.model, name: name, expected: "\(shape)", actual: actual)
        }
        return values
    }

    /// TF batch norm (`gamma`, `beta`, `moving_mean`, `moving_variance`), epsilon 0.001.
    func batchNorm(_ prefix: String, channels: Int) throws(ModelError) -> BatchNormParameters {
        BatchNormParameters(
            weight: try exact("\(prefix)/gamma", [channels]), bias: try exact("\(prefix)/beta", [channels]),
            mean: try exact("\(prefix)/moving_mean", [channels]), variance: try exact("\(prefix)/moving_variance", [channels]),
            eps: MusicnnModel.batchNormEpsilon)
    }

    func centredBatchNorm(_ prefix: String, channels: Int) throws(ModelError) -> CentredBatchNorm {
        CentredBatchNorm(
            gamma: try exact("\(prefix)/gamma", [channels]), beta: try exact("\(prefix)/beta", [channels]),
            mean: try exact("\(prefix)/moving_mean", [channels]), variance: try exact("\(prefix)/moving_variance", [channels]))
    }

    func layer(conv name: String, norm: String, _ conv: RectangularConvolution, storedShape: [Int]? = nil) throws(ModelError)
        -> MusicnnModel.Layer
    {
        let shape = storedShape ?? [conv.kernelHeight, conv.kernelWidth, conv.inChannels, conv.outChannels]
        let kernel = try exact("\(name)/kernel", shape)
        let bias = try exact("\(name)/bias", [conv.outChannels])
        let bn = try centredBatchNorm(norm, channels: conv.outChannels)
        return MusicnnModel.Layer(conv: conv, kernel: kernel, bias: bias, norm: bn)
    }
}

/// Inference batch norm in TF's fused form (`FusedBatchNorm`, used for the 4-D maps of the front
/// and mid end): y = (x − moving_mean) · scale + beta with scale = gamma / sqrt(moving_variance +
/// 0.001). Centring first avoids the cancellation of the folded x · scale + (beta − mean · scale)
/// where mean · scale is large, which would cost about 1e-4 absolute on some channels.
struct CentredBatchNorm: Sendable {
    let scale: [Float]
    let mean: [Float]
    let beta: [Float]

    init(gamma: [Float], beta: [Float], mean: [Float], variance: [Float]) {
        scale = zip(gamma, variance).map { $0 / ($1 + MusicnnModel.batchNormEpsilon).squareRoot() }
        self.mean = mean
        self.beta = beta
    }
}

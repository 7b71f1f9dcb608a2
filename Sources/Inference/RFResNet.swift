import Core
import Foundation

/// The paper's explainable model, `RFResnetExplainable` (shreyanc/model_debugging, config
/// `config_cp_field_shallow_m2`), as the reference RFRESNET.md describes it: a
/// receptive-field-regularised ResNet over the 149 × T log-filtered spectrogram whose pooled
/// 512-d embedding goes through a linear layer to 7 mid-level concepts and a second linear layer
/// to arousal and valence. Weights use PyTorch's state_dict key names.
///
/// ```swift
/// let model = try RFResNet(weights: Safetensors.read(contentsOf: url))
/// let result = try model.forward(input)     // input: N × 1 × 149 × T
/// result.concepts   // N × 7, result.output  // N × 2
/// ```
///
/// Convolution paths, one per kind of layer, chosen by measurement (docs/BENCHMARKS.md):
/// - the 3×3 stride-1 block convolutions run through oneDNN's Winograd (`WinogradConvolution`,
///   about 2.6× faster than im2col here) when oneDNN offers it for the CPU (AVX-512), else im2col;
/// - the 5×5 stride-2 input convolution and the 1×1 convolutions run on im2col / gemm
///   (`Kernels.convolution`, oneDNN's single-threaded `sgemm` per tile); oneDNN's convolution
///   primitives did not beat that.
public struct RFResNet: Sendable {
    public static let conceptNames = [
        "melody", "articulation", "rhythm_complexity", "rhythm_stability", "dissonance", "tonal_stability", "minorness",
    ]
    public static let outputNames = ["arousal", "valence"]
    /// The smallest input length (frames) the network accepts: 8 frames leave nothing after the second pool.
    public static let minimumFrames = 9
    static let name = "RFResNet"

    /// A BasicBlock: coordinate channel before each conv, padding k/3, ReLU after the residual add.
    struct Block: Sendable {
        let prefix: String
        let inChannels: Int
        let outChannels: Int
        let kernel1: Int
        let kernel2: Int
        let conv1: [Float]
        let bn1: BatchNormParameters
        let conv2: [Float]
        let bn2: BatchNormParameters
        let shortcut: (weights: [Float], bn: BatchNormParameters)?
        /// Max-pool 2×2 after this block.
        let poolAfter: Bool
        /// The Winograd form of conv1 / conv2 when that convolution is 3×3 (nil: im2col only).
        let winograd1: WinogradConvolution?
        let winograd2: WinogradConvolution?
    }

    let inConv: [Float]
    let inBN: BatchNormParameters
    let blocks: [Block]
    let conceptWeights: [Float]
    let outputWeights: [Float]
    /// Optional intercepts of the two linear layers (`concepts_layer.2.bias`, `feed_forward.bias`,
    /// the keys PyTorch's `nn.Linear(bias=True)` would use): the paper's layers have none, the
    /// heads `stemtrace train` fits on the conv trunk do. Zero when absent.
    let conceptBias: [Float]?
    let outputBias: [Float]?
    public let embeddingChannels: Int

    /// The blocks of the paper's configuration, in order, with the two pools of stage 1.
    static let layout: [(prefix: String, poolAfter: Bool)] = [
        ("stage1.block1", true), ("stage1.block2", true), ("stage1.block3", false), ("stage2.block1", false),
        ("stage3.block1", false),
    ]

    /// Reads the model from PyTorch state_dict tensors.
    /// - Parameter winograd: false keeps every convolution on im2col (for comparisons and tests);
    ///   true runs the 3×3 block convolutions through oneDNN's Winograd where it is available.
    public init(weights: [String: Tensor], winograd: Bool = true) throws(ModelError) {
        let workspaces = WinogradWorkspaces()
        func winogradForm(_ w: [Float], kernel: Int, in c: Int, out: Int) -> WinogradConvolution? {
            guard winograd, kernel == 3 else { return nil }
            return WinogradConvolution(weights: w, inChannels: c, outChannels: out, workspaces: workspaces)
        }
        let table = WeightTable(model: Self.name, tensors: weights)
        let (inShape, inConv) = try table.tensor("in_c.0.weight", rank: 4)
        guard inShape.count == 4, inShape[1] == 1, inShape[2] == 5, inShape[3] == 5 else {
            throw .weightShape(model: Self.name, name: "in_c.0.weight", expected: "[C, 1, 5, 5]", actual: inShape)
        }
        self.inConv = inConv
        self.inBN = try table.batchNorm("in_c.1", channels: inShape[0])
        var channels = inShape[0]
        var blocks: [Block] = []
        for (prefix, pool) in Self.layout {
            let (s1, w1) = try table.tensor("\(prefix).conv1.weight", rank: 4)
            guard s1[1] == channels + 1, s1[2] == s1[3] else {
                throw .weightShape(
                    model: Self.name, name: "\(prefix).conv1.weight", expected: "[C, \(channels + 1), k, k]", actual: s1)
            }
            let out = s1[0]
            let (s2, w2) = try table.tensor("\(prefix).conv2.weight", rank: 4)
            guard s2[0] == out, s2[1] == out + 1, s2[2] == s2[3] else {
                throw .weightShape(
                    model: Self.name, name: "\(prefix).conv2.weight", expected: "[\(out), \(out + 1), k, k]", actual: s2)
            }
            var shortcut: ([Float], BatchNormParameters)?
            if out != channels {
                let (ss, ws) = try table.tensor("\(prefix).shortcut.conv.weight", rank: 4)
                guard ss == [out, channels, 1, 1] else {
                    throw .weightShape(
                        model: Self.name, name: "\(prefix).shortcut.conv.weight", expected: "[\(out), \(channels), 1, 1]",
                        actual: ss)
                }
                shortcut = (ws, try table.batchNorm("\(prefix).shortcut.bn", channels: out))
            }
            blocks.append(
                Block(
                    prefix: prefix, inChannels: channels, outChannels: out, kernel1: s1[2], kernel2: s2[2], conv1: w1,
                    bn1: try table.batchNorm("\(prefix).bn1", channels: out), conv2: w2,
                    bn2: try table.batchNorm("\(prefix).bn2", channels: out), shortcut: shortcut, poolAfter: pool,
                    winograd1: winogradForm(w1, kernel: s1[2], in: channels, out: out),
                    winograd2: winogradForm(w2, kernel: s2[2], in: out, out: out)))
            channels = out
        }
        self.blocks = blocks
        self.embeddingChannels = channels
        let (cs, cw) = try table.tensor("concepts_layer.2.weight", rank: 2)
        guard cs == [Self.conceptNames.count, channels] else {
            throw .weightShape(model: Self.name, name: "concepts_layer.2.weight", expected: "[7, \(channels)]", actual: cs)
        }
        let (fs, fw) = try table.tensor("feed_forward.weight", rank: 2)
        guard fs == [Self.outputNames.count, Self.conceptNames.count] else {
            throw .weightShape(model: Self.name, name: "feed_forward.weight", expected: "[2, 7]", actual: fs)
        }
        self.conceptWeights = cw
        self.outputWeights = fw
        self.conceptBias =
            weights["concepts_layer.2.bias"] == nil
            ? nil : try table.vector("concepts_layer.2.bias", count: Self.conceptNames.count)
        self.outputBias =
            weights["feed_forward.bias"] == nil ? nil : try table.vector("feed_forward.bias", count: Self.outputNames.count)
    }

    /// The linear weights joining concept `c` to output `o`: `outputWeights[o * 7 + c]` (the paper's effects use them).
    public var conceptToOutputWeights: [Float] { outputWeights }

    /// What one forward pass returns.
    public struct Result: Sendable {
        /// batch × 7
        public var concepts: [Float]
        /// batch × 2 (arousal, valence)
        public var output: [Float]
        /// The stage-3 feature map, batch × 512 × 18 × W3.
        public var embedding: FeatureMap
        /// The globally pooled embedding, batch × 512.
        public var pooled: [Float]
    }

    /// Runs the network on `input` (batch × 1 × 149 × T, T ≥ 9). `observe` receives named
    /// intermediates (`in_c`, `<block>.conv1` before its batch norm, `<block>` before any pool,
    /// `stage1`, `stage2`, `stage3`) for parity checks.
    /// - Parameter threads: threads every layer splits its work across (default: all cores): the
    ///   calling thread's GNU OpenMP team, which oneDNN's Winograd convolutions use too.
    ///
    /// The pass runs with denormals flushed to zero on that team (`FlushDenormals`): composed
    /// perturbations with quiet stems drive some activations into the denormal range, where x86
    /// arithmetic is many times slower: flushing took two pieces' model time from 6.8 to 6.3 s
    /// (docs/BENCHMARKS.md, "All eight pieces, after issue 19"). A value below 1.2e-38 then reads
    /// as zero, far inside every tolerance.
    public func forward(
        _ input: FeatureMap, threads: Int = ProcessorCount.available,
        observe: ((String, FeatureMap) -> Void)? = nil
    ) throws(ModelError) -> Result {
        guard input.channels == 1 else {
            throw .inputShape(model: Self.name, reason: "input has \(input.channels) channels, expected 1")
        }
        guard input.width >= Self.minimumFrames, input.height >= Self.minimumFrames else {
            throw .inputShape(
                model: Self.name,
                reason: "input is \(input.height) × \(input.width); at least \(Self.minimumFrames) bands and frames are needed")
        }
        return FlushDenormals.during(threads: threads) { () -> Result in
            var x = Kernels.conv2d(
                input, weights: inConv, outChannels: inBN.scale.count, kernel: 5, stride: 2, padding: 1,
                epilogue: ConvolutionEpilogue(batchNorm: inBN, relu: true), threads: threads)
            observe?("in_c", x)
            for block in blocks {
                x = run(block, x, threads: threads, observe: observe)
                observe?(block.prefix, x)
                if block.poolAfter { x = Kernels.maxPool2x2(x, threads: threads) }
                if block.prefix == "stage1.block3" { observe?("stage1", x) }
                if block.prefix == "stage2.block1" { observe?("stage2", x) }
                if block.prefix == "stage3.block1" { observe?("stage3", x) }
            }
            let pooled = Kernels.globalMean(x)
            let (concepts, output) = heads(pooled: pooled, batch: x.batch)
            return Result(concepts: concepts, output: output, embedding: x, pooled: pooled)
        }
    }

    /// The two linear layers on pooled embeddings (batch × `embeddingChannels`): concepts, then outputs.
    private func heads(pooled: [Float], batch: Int) -> (concepts: [Float], output: [Float]) {
        var concepts = Kernels.linear(
            pooled, batch: batch, weights: conceptWeights, outFeatures: Self.conceptNames.count,
            inFeatures: embeddingChannels)
        if let conceptBias { Self.addBias(conceptBias, to: &concepts) }
        var output = Kernels.linear(
            concepts, batch: batch, weights: outputWeights, outFeatures: Self.outputNames.count,
            inFeatures: Self.conceptNames.count)
        if let outputBias { Self.addBias(outputBias, to: &output) }
        return (concepts, output)
    }

    private static func addBias(_ bias: [Float], to rows: inout [Float]) {
        for i in rows.indices { rows[i] += bias[i % bias.count] }
    }

    private func run(_ b: Block, _ x: FeatureMap, threads: Int, observe: ((String, FeatureMap) -> Void)?) -> FeatureMap {
        let coordinates = Self.coordinateChannel(height: x.height)
        // Batch norm, residual and ReLU run inside each convolution's output tiles; the raw
        // conv1 output is only materialised when a caller observes it.
        var y: FeatureMap
        if let observe {
            y = convolve(
                x, b.conv1, b.outChannels, kernel: b.kernel1, winograd: b.winograd1, coordinates, ConvolutionEpilogue(), threads)
            observe("\(b.prefix).conv1", y)
            Kernels.batchNorm(&y, b.bn1, relu: true, threads: threads)
        } else {
            y = convolve(
                x, b.conv1, b.outChannels, kernel: b.kernel1, winograd: b.winograd1, coordinates,
                ConvolutionEpilogue(batchNorm: b.bn1, relu: true), threads)
        }
        let shortcut = b.shortcut.map { sc in
            Kernels.convolution(
                x, weights: sc.weights, outChannels: b.outChannels, kernel: 1, epilogue: ConvolutionEpilogue(batchNorm: sc.bn),
                threads: threads)
        }
        return convolve(
            y, b.conv2, b.outChannels, kernel: b.kernel2, winograd: b.winograd2, coordinates,
            ConvolutionEpilogue(batchNorm: b.bn2, residual: shortcut ?? x, relu: true), threads)
    }

    /// A block convolution (padding k/3, the coordinate channel appended): Winograd when the layer
    /// has that form and oneDNN can run it for this shape, im2col otherwise.
    private func convolve(
        _ x: FeatureMap, _ weights: [Float], _ outChannels: Int, kernel: Int, winograd: WinogradConvolution?,
        _ coordinates: [Float], _ epilogue: ConvolutionEpilogue, _ threads: Int
    ) -> FeatureMap {
        if let winograd, let y = try? winograd(x, epilogue: epilogue, threads: threads) { return y }
        return Kernels.convolution(
            x, weights: weights, outChannels: outChannels, kernel: kernel, padding: kernel / 3, rowChannel: coordinates,
            epilogue: epilogue, threads: threads)
    }

    /// The reference `getpad` coordinate: c[i] = float32(float32(float32(i)·2)/H) − 1, appended as
    /// the last channel before every block convolution (and zero-padded like the other channels).
    public static func coordinateChannel(height: Int) -> [Float] {
        (0..<height).map { Float(Float(Float($0) * 2) / Float(height)) - 1 }
    }
}

import COpenBLAS
import Core
import DSP
import Foundation

/// A Swift step of a `UNetPlan` between two oneDNN primitives, over the plan's buffers.
protocol Epilogue: Sendable {
    func run(threads: Int)
}

/// Encoder: next input = activation(BN(conv)) (LeakyReLU₀.₂ in the 2-stem model), channels
/// last; the raw conv stays for the skip.
struct EncoderEpilogue: Epilogue, @unchecked Sendable {
    let source: UnsafeMutablePointer<Float>
    let destination: UnsafeMutablePointer<Float>
    let pixels: Int
    let affine: BatchNormParameters
    let activation: SpleeterArchitecture.Activation

    init(
        source: UnsafeMutablePointer<Float>, destination: UnsafeMutablePointer<Float>, pixels: Int, norm: BatchNormParameters,
        activation: SpleeterArchitecture.Activation
    ) {
        self.source = source
        self.destination = destination
        self.pixels = pixels
        affine = norm
        self.activation = activation
    }

    func run(threads: Int) {
        let channels = affine.scale.count
        let chunks = min(pixels, 64)
        ParallelFor.run(iterations: chunks, threads: threads) { chunk in
            let first = pixels * chunk / chunks
            let last = pixels * (chunk + 1) / chunks
            affine.scale.withUnsafeBufferPointer { scale in
                affine.shift.withUnsafeBufferPointer { shift in
                    for p in first..<last {
                        let x = source + p * channels
                        let y = destination + p * channels
                        switch activation {
                        case .leakyReLU:
                            for c in 0..<channels {
                                let v = x[c] * scale[c] + shift[c]
                                y[c] = v < 0 ? v * 0.2 : v
                            }
                        default:
                            for c in 0..<channels { y[c] = activation.apply(x[c] * scale[c] + shift[c]) }
                        }
                    }
                }
            }
        }
    }
}

/// Decoder: interleaves the four phases of a transposed convolution (`TransposedAsPhases`),
/// adds the bias, applies the activation (ReLU in the 2-stem model) then BN, and writes [skip, result] per output pixel (Keras's
/// `Concatenate(axis=-1)([conv, batch])`), channels last; without a skip, just the result.
struct DecoderEpilogue: Epilogue, @unchecked Sendable {
    /// Phase (a, b) of input pixel q starts at `phases[2a + b] + q × pixelStride`.
    let phases: [UnsafeMutablePointer<Float>]
    let pixelStride: Int
    let skip: UnsafeMutablePointer<Float>?
    let destination: UnsafeMutablePointer<Float>
    let height: Int
    let width: Int
    let outChannels: Int
    let skipChannels: Int
    let bias: [Float]
    let affine: BatchNormParameters
    let activation: SpleeterArchitecture.Activation

    init(
        phases: [UnsafeMutablePointer<Float>], pixelStride: Int, skip: UnsafeMutablePointer<Float>?,
        destination: UnsafeMutablePointer<Float>,
        height: Int, width: Int, outChannels: Int, skipChannels: Int, bias: [Float], norm: BatchNormParameters,
        activation: SpleeterArchitecture.Activation
    ) {
        self.activation = activation
        self.phases = phases
        self.pixelStride = pixelStride
        self.skip = skip
        self.destination = destination
        self.height = height
        self.width = width
        self.outChannels = outChannels
        self.skipChannels = skipChannels
        self.bias = bias
        affine = norm
    }

    func run(threads: Int) {
        let c = outChannels
        let total = skipChannels + c
        let outWidth = 2 * width
        ParallelFor.run(iterations: height, threads: threads) { i in
            bias.withUnsafeBufferPointer { bias in
                affine.scale.withUnsafeBufferPointer { scale in
                    affine.shift.withUnsafeBufferPointer { shift in
                        for a in 0..<2 {
                            let row = 2 * i + a
                            for j in 0..<width {
                                let q = (i * width + j) * pixelStride
                                for b in 0..<2 {
                                    let pixel = row * outWidth + 2 * j + b
                                    let out = destination + pixel * total
                                    if let skip { out.update(from: skip + pixel * skipChannels, count: skipChannels) }
                                    let phase = phases[2 * a + b] + q
                                    let up = out + skipChannels
                                    if activation == .relu {
                                        for k in 0..<c {
                                            let v = max(phase[k] + bias[k], 0)
                                            up[k] = v * scale[k] + shift[k]
                                        }
                                    } else {
                                        for k in 0..<c { up[k] = activation.apply(phase[k] + bias[k]) * scale[k] + shift[k] }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A Conv2DTranspose 5×5 stride 2 'same' (crop 1 before) as stride-1 convolutions, one per
/// output phase. Per dimension the transposed convolution is y[o] = Σ x[i]·w[k] over
/// o = 2i + k − 1; for o = 2m + a and input i = m + d (d ∈ {−1, 0, 1}, tap t = d + 1) the kernel
/// index is k = a + 3 − 2t, absent when outside 0…4. So phase a = 0 uses the two taps (w3, w1)
/// over inputs m − 1, m, and phase a = 1 the three taps (w4, w2, w0) over m − 1, m, m + 1; zero
/// padding (1 before; after: 0 for two taps, 1 for three) reproduces the borders exactly.
enum TransposedAsPhases {
    struct Phase {
        /// HWIO, kernel.0 × kernel.1 × in × out.
        var weights: [Float]
        var kernel: (Int, Int)
        var padAfter: (Int, Int)
    }

    /// The four phases (a, b) in order 2a + b, each with only its own taps.
    static func separate(_ layer: UNetWeights.Layer) -> [Phase] {
        var phases: [Phase] = []
        for a in 0..<2 {
            for b in 0..<2 {
                let (kh, kw) = (a == 0 ? 2 : 3, b == 0 ? 2 : 3)
                phases.append(
                    Phase(
                        weights: weights(layer, a: a, b: b, height: kh, width: kw), kernel: (kh, kw), padAfter: (kh - 2, kw - 2)))
            }
        }
        return phases
    }

    /// Phase (a, b)'s kernel, HWIO: tap (th, tw) is the layer's tap (a + 3 − 2·th, b + 3 − 2·tw),
    /// whose out × in block (TensorFlow's H×W×out×in) is transposed to in × out by OpenBLAS's
    /// `somatcopy` (a scale of 1 is exact, so the values are the kernel's own). Every tap is
    /// written: `separate` gives phase a 2 taps when a = 0 (kernel rows 3, 1) and 3 when a = 1
    /// (rows 4, 2, 0), and the same along b, all inside the 5×5 kernel `UNetWeights` checked.
    private static func weights(_ layer: UNetWeights.Layer, a: Int, b: Int, height: Int, width: Int) -> [Float] {
        let c = layer.outChannels
        let n = layer.inChannels
        let block = n * c
        precondition(height == 2 + a && width == 2 + b, "a phase has 2 + a × 2 + b taps")
        return [Float](unsafeUninitializedCapacity: height * width * block) { phase, initialized in
            HugePages.advise(UnsafeMutableRawBufferPointer(phase))
            layer.weights.withFloats { kernel in
                precondition(kernel.count == 25 * block, "a transposed kernel is 5 × 5 × out × in")
                guard let phase = phase.baseAddress, let kernel = kernel.baseAddress else { return }
                for th in 0..<height {
                    for tw in 0..<width {
                        let from = kernel + ((a + 3 - 2 * th) * 5 + (b + 3 - 2 * tw)) * block  // [o][i]
                        let to = phase + (th * width + tw) * block  // [i][o]
                        cblas_somatcopy(CblasRowMajor, CblasTrans, blasint(c), blasint(n), 1, from, blasint(n), to, blasint(c))
                    }
                }
            }
            initialized = height * width * block
        }
    }
}

/// A transposed convolution 5×5 stride 2 'same' with few outputs (spleeter's last, 32 → 1) as one
/// GEMM and a col2im: columns = X (pixels × C_in) · W (C_in × 25·C_out) on OpenBLAS (one thread,
/// `BLASThreading`), then each input pixel's 25 taps are added at output (2i + kh − 1,
/// 2j + kw − 1) when inside the 2H × 2W output, in a fixed order; then bias, activation and BN as
/// `DecoderEpilogue` does. One output channel, stored space-to-depth (H × W × 4, channel
/// 2·(row parity) + column parity): the layout the mask layer reads (`MaskAsPhases`).
struct TransposedByGEMM: Epilogue, @unchecked Sendable {
    let source: UnsafeMutablePointer<Float>
    let destination: UnsafeMutablePointer<Float>
    let height: Int
    let width: Int
    let inChannels: Int
    let outChannels: Int
    /// C_in × 25·C_out, row-major: [i][(kh·5 + kw)·C_out + o].
    let weights: [Float]
    let bias: [Float]
    let affine: BatchNormParameters
    let activation: SpleeterArchitecture.Activation
    let columns: AlignedBuffer

    init(
        source: UnsafeMutablePointer<Float>, destination: UnsafeMutablePointer<Float>, height: Int, width: Int,
        layer: UNetWeights.Layer, norm: BatchNormParameters, activation: SpleeterArchitecture.Activation
    ) {
        self.source = source
        self.destination = destination
        self.height = height
        self.width = width
        inChannels = layer.inChannels
        outChannels = layer.outChannels
        let (n, c) = (layer.inChannels, layer.outChannels)
        var w = [Float](repeating: 0, count: n * 25 * c)
        layer.weights.withFloats { kernel in
            for o in 0..<c {
                for i in 0..<n {
                    for tap in 0..<25 { w[(i * 25 + tap) * c + o] = kernel[(tap * c + o) * n + i] }
                }
            }
        }
        weights = w
        bias = layer.bias
        affine = norm
        self.activation = activation
        columns = AlignedBuffer(byteCount: height * width * 25 * c * MemoryLayout<Float>.size, hugePages: true)
    }

    func run(threads: Int) {
        _ = BLASThreading.singleThreaded
        let c = outChannels  // 1 (checked by the plan)
        let taps = 25 * c
        let cols = columns.pointer.assumingMemoryBound(to: Float.self)
        weights.withUnsafeBufferPointer { w in
            cblas_sgemm(
                CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(height * width), Int32(taps), Int32(inChannels), 1, source,
                Int32(inChannels), w.baseAddress, Int32(taps), 0, cols, Int32(taps))
        }
        let (outHeight, outWidth) = (2 * height, 2 * width)
        destination.update(repeating: 0, count: outHeight * outWidth * c)
        for i in 0..<height {
            for kh in 0..<5 {
                let r = 2 * i + kh - 1
                guard r >= 0, r < outHeight else { continue }
                // Output (r, x) lives at ((r/2)·W + x/2)·4 + 2·(r mod 2) + x mod 2.
                let row = destination + (r >> 1) * width * 4 + (r & 1) * 2
                for j in 0..<width {
                    let tap = cols + ((i * width + j) * 25 + kh * 5)
                    for kw in 0..<5 {
                        let x = 2 * j + kw - 1
                        guard x >= 0, x < outWidth else { continue }
                        row[(x >> 1) * 4 + (x & 1)] += tap[kw]
                    }
                }
            }
        }
        bias.withUnsafeBufferPointer { bias in
            affine.scale.withUnsafeBufferPointer { scale in
                affine.shift.withUnsafeBufferPointer { shift in
                    for p in 0..<(outHeight * outWidth) {
                        let v = destination + p * c
                        for o in 0..<c { v[o] = activation.apply(v[o] + bias[o]) * scale[o] + shift[o] }
                    }
                }
            }
        }
    }
}

/// The mask layer — Conv2D 4×4, dilation 2, 'same' (3 before, 3 after), one input channel, one
/// output per audio channel — as a plain 5×5 convolution of the space-to-depth input. With
/// Y[R][X][2p + q] = y[2R + p][2X + q] and the output stored the same way, output phase (a, b)
/// reads only input phase (1 − a, 1 − b): output row 2R + a takes rows 2R + a + 2t − 3 =
/// 2(R + t + a − 2) + (1 − a), t ∈ 0…3, i.e. kernel row t + a of a 5-row kernel centred on R (pad 2);
/// columns alike. So the 4 → 4·C convolution holds each weight once and zeros elsewhere: six
/// times the multiply-adds of the dilated form, which oneDNN still runs several times faster
/// than a one-input, two-output convolution.
enum MaskAsPhases {
    /// OIHW, (4·C) × 4 × 5 × 5; output channel (2a + b)·C + o, input channel 2(1 − a) + (1 − b).
    static func weights(_ mask: UNetWeights.Layer) -> [Float] {
        let c = mask.outChannels
        var w = [Float](repeating: 0, count: 4 * c * 4 * 25)
        mask.weights.withFloats { kernel in
            for a in 0..<2 {
                for b in 0..<2 {
                    let input = 2 * (1 - a) + (1 - b)
                    for o in 0..<c {
                        let output = (2 * a + b) * c + o
                        for t in 0..<4 {
                            // The mask kernel is HWIO with one input: tap (t, u), output o.
                            for u in 0..<4 { w[((output * 4 + input) * 5 + t + a) * 5 + u + b] = kernel[(t * 4 + u) * c + o] }
                        }
                    }
                }
            }
        }
        return w
    }

    static func bias(_ mask: UNetWeights.Layer) -> [Float] { (0..<4).flatMap { _ in mask.bias } }

    /// Z (H/2 × W/2 × 4·C, phases) → out (H × W × C).
    static func depthToSpace(
        _ z: UnsafeMutablePointer<Float>, into out: UnsafeMutablePointer<Float>, height: Int, width: Int, channels c: Int
    ) {
        let (rows, columns) = (height / 2, width / 2)
        for r in 0..<rows {
            for a in 0..<2 {
                let line = out + (2 * r + a) * width * c
                for x in 0..<columns {
                    let source = z + ((r * columns + x) * 4 + 2 * a) * c
                    for b in 0..<2 {
                        for o in 0..<c { line[(2 * x + b) * c + o] = source[b * c + o] }
                    }
                }
            }
        }
    }
}

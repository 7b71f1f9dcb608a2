import Foundation

/// A Swift step of a `UNetPlan` between two oneDNN primitives, over the plan's buffers.
protocol Epilogue: Sendable {
    func run(threads: Int)
}

/// A batch normalization with moving statistics as the per-channel affine y = a·x + b,
/// a = γ/√(σ² + ε), b = β − μ·a (Keras's inference formula; ε = 1e-3).
struct ChannelAffine: Sendable {
    let scale: [Float]
    let shift: [Float]

    init(_ norm: UNetWeights.Norm) {
        let epsilon = SpleeterParameters.batchNormEpsilon
        scale = zip(norm.gamma, norm.variance).map { $0 / ($1 + epsilon).squareRoot() }
        shift = zip(zip(norm.beta, norm.mean), scale).map { $0.0 - $0.1 * $1 }
    }
}

/// Encoder: next input = activation(BN(conv)) (LeakyReLU₀.₂ in the 2-stem model), channels
/// last; the raw conv stays for the skip.
struct EncoderEpilogue: Epilogue, @unchecked Sendable {
    let source: UnsafeMutablePointer<Float>
    let destination: UnsafeMutablePointer<Float>
    let pixels: Int
    let affine: ChannelAffine
    let activation: SpleeterArchitecture.Activation

    init(
        source: UnsafeMutablePointer<Float>, destination: UnsafeMutablePointer<Float>, pixels: Int, norm: UNetWeights.Norm,
        activation: SpleeterArchitecture.Activation
    ) {
        self.source = source
        self.destination = destination
        self.pixels = pixels
        affine = ChannelAffine(norm)
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
    /// Input-sized map of 4 × outChannels channels: phase (a, b) = channels [(2a + b)·C, …).
    let phases: UnsafeMutablePointer<Float>
    let skip: UnsafeMutablePointer<Float>?
    let destination: UnsafeMutablePointer<Float>
    let height: Int
    let width: Int
    let outChannels: Int
    let skipChannels: Int
    let bias: [Float]
    let affine: ChannelAffine
    let activation: SpleeterArchitecture.Activation

    init(
        phases: UnsafeMutablePointer<Float>, skip: UnsafeMutablePointer<Float>?, destination: UnsafeMutablePointer<Float>,
        height: Int, width: Int, outChannels: Int, skipChannels: Int, bias: [Float], norm: UNetWeights.Norm,
        activation: SpleeterArchitecture.Activation
    ) {
        self.activation = activation
        self.phases = phases
        self.skip = skip
        self.destination = destination
        self.height = height
        self.width = width
        self.outChannels = outChannels
        self.skipChannels = skipChannels
        self.bias = bias
        affine = ChannelAffine(norm)
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
                                let z = phases + (i * width + j) * 4 * c
                                for b in 0..<2 {
                                    let pixel = row * outWidth + 2 * j + b
                                    let out = destination + pixel * total
                                    if let skip { out.update(from: skip + pixel * skipChannels, count: skipChannels) }
                                    let phase = z + (2 * a + b) * c
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

/// A Conv2DTranspose 5×5 stride 2 'same' (crop 1 before) as four stride-1 3×3 convolutions, one
/// per output phase, stacked on output channels. Per dimension the transposed convolution is
/// y[o] = Σ x[i]·w[k] over o = 2i + k − 1; for o = 2m + a and input i = m + d (d ∈ {−1, 0, 1},
/// tap t = d + 1) the kernel index is k = a + 3 − 2t, absent when outside 0…4. So phase a = 0
/// uses taps (w3, w1, 0) and phase a = 1 uses (w4, w2, w0); zero padding of 1 on each side of the
/// input reproduces the transposed convolution's borders exactly.
struct TransposedAsPhases {
    /// OIHW, O = 4 × outChannels (phase-major), 3×3.
    let weights: [Float]
    let outChannels: Int

    init(_ layer: UNetWeights.Layer) {
        let c = layer.outChannels
        let n = layer.inChannels
        outChannels = 4 * c
        var w = [Float](repeating: 0, count: 4 * c * n * 9)
        for a in 0..<2 {
            for b in 0..<2 {
                for th in 0..<3 {
                    let kh = a + 3 - 2 * th
                    guard (0..<5).contains(kh) else { continue }
                    for tw in 0..<3 {
                        let kw = b + 3 - 2 * tw
                        guard (0..<5).contains(kw) else { continue }
                        for o in 0..<c {
                            for i in 0..<n {
                                w[((((2 * a + b) * c + o) * n + i) * 3 + th) * 3 + tw] =
                                    layer.weights[((o * n + i) * 5 + kh) * 5 + kw]
                            }
                        }
                    }
                }
            }
        }
        weights = w
    }
}

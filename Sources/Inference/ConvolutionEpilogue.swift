/// What a convolution applies to each output tile while it is still in cache: folded batch norm,
/// then an optional residual of the output's shape, then ReLU — the order of an RF-ResNet block
/// (`bn2(conv2(…)) + shortcut`, then ReLU). Applying it per tile saves whole passes over the map.
public struct ConvolutionEpilogue: Sendable {
    public var batchNorm: BatchNormParameters?
    public var residual: FeatureMap?
    public var relu: Bool
    /// Added to the raw convolution output before everything else: the coordinate channel's share
    /// when the convolution itself ran without that channel (the Winograd path).
    var coordinateTerm: CoordinateTerm?

    public init(batchNorm: BatchNormParameters? = nil, residual: FeatureMap? = nil, relu: Bool = false) {
        self.batchNorm = batchNorm
        self.residual = residual
        self.relu = relu
    }

    var isEmpty: Bool { batchNorm == nil && residual == nil && !relu && coordinateTerm == nil }

    /// Applies to item `n`, elements `start ..< start + count` of every channel plane of `output`.
    func apply(to output: UnsafeMutablePointer<Float>, item n: Int, channels: Int, plane: Int, start: Int, count: Int) {
        guard !isEmpty, count > 0 else { return }
        residual?.values.withUnsafeBufferPointer { r in apply(output, r.baseAddress, n, channels, plane, start, count) }
            ?? apply(output, nil, n, channels, plane, start, count)
    }

    private func apply(
        _ output: UnsafeMutablePointer<Float>, _ residual: UnsafePointer<Float>?, _ n: Int, _ channels: Int,
        _ plane: Int, _ start: Int, _ count: Int
    ) {
        for o in 0..<channels {
            let offset = (n * channels + o) * plane + start
            let y = output + offset
            let r = residual.map { $0 + offset }
            let a = batchNorm?.scale[o] ?? 1
            let b = batchNorm?.shift[o] ?? 0
            guard let term = coordinateTerm else {
                Self.run(y, r, count, a, b, relu)
                continue
            }
            // Row by row: the term is constant along a row except in its first and last column.
            term.values.withUnsafeBufferPointer { t in
                guard let t = t.baseAddress else { return }
                let width = term.width
                var p = start
                let end = start + count
                while p < end {
                    let row = p / width
                    let column = p - row * width
                    let values = t + (o * term.height + row) * 3
                    let length: Int
                    let value: Float
                    if column == 0 {
                        (length, value) = (1, values[0])
                    } else if column == width - 1 {
                        (length, value) = (1, values[2])
                    } else {
                        (length, value) = (min(end, row * width + width - 1) - p, values[1])
                    }
                    Self.run(y + (p - start), r.map { $0 + (p - start) }, length, a, b, relu, adding: value)
                    p += length
                }
            }
        }
    }

    /// y ← relu?(y·a + b + r) over `count` elements.
    @inline(__always)
    private static func run(
        _ y: UnsafeMutablePointer<Float>, _ residual: UnsafePointer<Float>?, _ count: Int, _ a: Float, _ b: Float, _ relu: Bool
    ) {
        if let r = residual {
            if relu {
                for i in 0..<count { y[i] = max(y[i] * a + b + r[i], 0) }
            } else {
                for i in 0..<count { y[i] = y[i] * a + b + r[i] }
            }
        } else if relu {
            for i in 0..<count { y[i] = max(y[i] * a + b, 0) }
        } else {
            for i in 0..<count { y[i] = y[i] * a + b }
        }
    }

    /// y ← relu?((y + t)·a + b + r) over `count` elements.
    @inline(__always)
    private static func run(
        _ y: UnsafeMutablePointer<Float>, _ residual: UnsafePointer<Float>?, _ count: Int, _ a: Float, _ b: Float, _ relu: Bool,
        adding t: Float
    ) {
        if let r = residual {
            if relu {
                for i in 0..<count { y[i] = max((y[i] + t) * a + b + r[i], 0) }
            } else {
                for i in 0..<count { y[i] = (y[i] + t) * a + b + r[i] }
            }
        } else if relu {
            for i in 0..<count { y[i] = max((y[i] + t) * a + b, 0) }
        } else {
            for i in 0..<count { y[i] = (y[i] + t) * a + b }
        }
    }
}

/// The coordinate channel's share of a 3×3, padding-1, stride-1 convolution, for a convolution
/// that ran on the other channels only. The channel depends on the row alone and is zero-padded
/// like the others, so its share is one value per (output channel, row) except in the first and
/// last column, where the kernel's outer taps read padding: `values[(o · height + row) · 3 + k]`
/// with k = 0 for column 0, 2 for column `width − 1` and 1 for the columns between.
struct CoordinateTerm: Sendable {
    let values: [Float]
    let height: Int
    let width: Int
}

extension CoordinateTerm {
    /// The term of 3×3 weights `weights` (`outChannels × 1 × 3 × 3`, the coordinate channel's
    /// slice) for an `height × width` map whose coordinate column is `rowChannel`: the im2col
    /// convolution of a map `min(width, 3)` columns wide, whose columns are exactly the three kinds.
    init(weights: [Float], outChannels: Int, rowChannel: [Float], width: Int) {
        let height = rowChannel.count
        let columns = min(width, 3)
        var plane = [Float](repeating: 0, count: height * columns)
        for row in 0..<height {
            for c in 0..<columns { plane[row * columns + c] = rowChannel[row] }
        }
        let map = Kernels.conv2d(
            FeatureMap(batch: 1, channels: 1, height: height, width: columns, values: plane), weights: weights,
            outChannels: outChannels, kernel: 3, padding: 1, threads: 1)
        var values = [Float](repeating: 0, count: outChannels * height * 3)
        for o in 0..<outChannels {
            for row in 0..<height {
                let source = (o * height + row) * columns
                let target = (o * height + row) * 3
                values[target] = map.values[source]
                values[target + 1] = map.values[source + min(1, columns - 1)]
                values[target + 2] = map.values[source + columns - 1]
            }
        }
        self.values = values
        self.height = height
        self.width = width
    }

    /// The term of a 1×1 convolution whose weight for the row channel is `weights[o · stride + channel]`:
    /// `w[o] · rowChannel[row]` in every column.
    init(
        pointwise weights: UnsafeBufferPointer<Float>, stride: Int, channel: Int, outChannels: Int, rowChannel: [Float],
        width: Int
    ) {
        let height = rowChannel.count
        var values = [Float](repeating: 0, count: outChannels * height * 3)
        for o in 0..<outChannels {
            let w = weights[o * stride + channel]
            for row in 0..<height {
                let v = w * rowChannel[row]
                for k in 0..<3 { values[(o * height + row) * 3 + k] = v }
            }
        }
        self.values = values
        self.height = height
        self.width = width
    }
}

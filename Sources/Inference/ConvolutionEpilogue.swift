/// What a convolution applies to each output tile while it is still in cache: folded batch norm,
/// then an optional residual of the output's shape, then ReLU — the order of an RF-ResNet block
/// (`bn2(conv2(…)) + shortcut`, then ReLU). Applying it per tile saves whole passes over the map.
public struct ConvolutionEpilogue: Sendable {
    public var batchNorm: BatchNormParameters?
    public var residual: FeatureMap?
    public var relu: Bool

    public init(batchNorm: BatchNormParameters? = nil, residual: FeatureMap? = nil, relu: Bool = false) {
        self.batchNorm = batchNorm
        self.residual = residual
        self.relu = relu
    }

    var isEmpty: Bool { batchNorm == nil && residual == nil && !relu }

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
            let a = batchNorm?.scale[o] ?? 1
            let b = batchNorm?.shift[o] ?? 0
            if let residual {
                let r = residual + offset
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
    }
}

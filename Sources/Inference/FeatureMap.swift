/// A batch of feature maps: contiguous float32 in NCHW order (batch, channel, height, width),
/// the layout PyTorch uses, so weights and goldens read without transposition.
public struct FeatureMap: Sendable, Equatable {
    public let batch: Int
    public let channels: Int
    public let height: Int
    public let width: Int
    public var values: [Float]

    public init(batch: Int, channels: Int, height: Int, width: Int, values: [Float]) {
        precondition(
            values.count == batch * channels * height * width, "values do not fill \(batch)×\(channels)×\(height)×\(width)")
        self.batch = batch
        self.channels = channels
        self.height = height
        self.width = width
        self.values = values
    }

    public init(batch: Int, channels: Int, height: Int, width: Int) {
        self.init(
            batch: batch, channels: channels, height: height, width: width,
            values: [Float](repeating: 0, count: batch * channels * height * width))
    }

    /// A map whose values are not set: for kernels that write every element (a zero fill of the
    /// 24 MB maps of the RF-ResNet's first stage took about 2 ms per map on one thread).
    static func unfilled(batch: Int, channels: Int, height: Int, width: Int) -> FeatureMap {
        let count = batch * channels * height * width
        return FeatureMap(
            batch: batch, channels: channels, height: height, width: width,
            values: [Float](unsafeUninitializedCapacity: count) { _, initialized in initialized = count })
    }

    public var shape: [Int] { [batch, channels, height, width] }
    public var planeSize: Int { height * width }
    public var itemSize: Int { channels * height * width }
}

/// A point in data or pixel coordinates.
public struct PlotPoint: Sendable, Equatable {
    public var x: Double
    public var y: Double

    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }

    /// Both coordinates finite.
    public var isFinite: Bool { x.isFinite && y.isFinite }
}

/// The size of a plot in px (SVG user units). Validated once so that the charts need not fail later.
public struct PlotSize: Sendable, Equatable {
    public static let minimumWidth = 200.0
    public static let minimumHeight = 150.0
    /// 640 × 400 px.
    public static let standard = PlotSize(uncheckedWidth: 640, height: 400)

    public let width: Double
    public let height: Double

    /// Throws `PlotError.invalidSize` unless both sides are finite and at least `minimumWidth` × `minimumHeight`
    /// (and at most 100 000 px).
    public init(width: Double, height: Double) throws(PlotError) {
        guard width.isFinite, height.isFinite, width >= Self.minimumWidth, height >= Self.minimumHeight,
            width <= 100_000, height <= 100_000
        else {
            throw .invalidSize(
                width: width, height: height, minimumWidth: Self.minimumWidth, minimumHeight: Self.minimumHeight)
        }
        self.width = width
        self.height = height
    }

    private init(uncheckedWidth: Double, height: Double) {
        self.width = uncheckedWidth
        self.height = height
    }
}

/// A pixel rectangle (y grows downwards), used for the plot area inside the margins.
struct PixelRect: Sendable, Equatable {
    var left: Double
    var top: Double
    var width: Double
    var height: Double

    var right: Double { left + width }
    var bottom: Double { top + height }
    var centerX: Double { left + width / 2 }
    var centerY: Double { top + height / 2 }
}

/// A named set of (x, y) points: a line of a `LineChart` or a coloured group of a `ScatterPlot`.
public struct PlotSeries: Sendable, Equatable {
    public let name: String
    public let points: [PlotPoint]

    public init(name: String, points: [PlotPoint]) {
        self.name = name
        self.points = points
    }

    /// Points from paired coordinates; throws `PlotError.lengthMismatch` if the arrays differ in length.
    public init(name: String, x: [Double], y: [Double]) throws(PlotError) {
        guard x.count == y.count else {
            throw .lengthMismatch(what: "series \"\(name)\" y", expected: x.count, found: y.count)
        }
        self.init(name: name, points: zip(x, y).map { PlotPoint(x: $0, y: $1) })
    }
}

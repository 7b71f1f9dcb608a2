/// One or more series of (x, y) points joined by lines, e.g. the fraction of a genre's tracks in each error quantile.
///
/// Each series is drawn in the given point order; a non-finite point breaks its line (and is reported in the
/// `<desc>`). Past the seventh series the Okabe–Ito colours repeat with a different dash pattern. The y axis covers
/// the data, `yRange` if given (e.g. 0…1 for fractions) and the reference line if any.
public struct LineChart: ChartDrawing, Sendable, Equatable {
    /// One named line.
    public typealias Series = PlotSeries

    /// A labelled horizontal line, e.g. the fraction expected without any association.
    public struct ReferenceLine: Sendable, Equatable {
        public let value: Double
        public let label: String

        /// Throws `PlotError.nonFiniteValue` for a non-finite value.
        public init(value: Double, label: String) throws(PlotError) {
            guard value.isFinite else { throw .nonFiniteValue(parameter: "reference line \"\(label)\"") }
            self.value = value
            self.label = label
        }
    }

    public let title: String
    public let series: [Series]
    public let xLabel: String
    public let yLabel: String
    /// A y interval the axis covers even where the data do not reach, nil to fit the data only.
    public let yRange: ClosedRange<Double>?
    public let reference: ReferenceLine?
    /// Whether each point also gets a dot.
    public let showsMarkers: Bool
    /// The `<desc>` text; nil for a generated one.
    public let summary: String?
    public let size: PlotSize

    /// Throws `PlotError.nonFiniteValue` if `yRange` has a non-finite bound.
    public init(
        title: String, series: [Series], xLabel: String, yLabel: String, yRange: ClosedRange<Double>? = nil,
        reference: ReferenceLine? = nil, showsMarkers: Bool = true, summary: String? = nil, size: PlotSize = .standard
    ) throws(PlotError) {
        if let yRange, !yRange.lowerBound.isFinite || !yRange.upperBound.isFinite {
            throw .nonFiniteValue(parameter: "line chart y range")
        }
        self.title = title
        self.series = series
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.yRange = yRange
        self.reference = reference
        self.showsMarkers = showsMarkers
        self.summary = summary
        self.size = size
    }

    /// Dash patterns for the first, second, … round through the colours.
    static let dashPatterns: [[Double]] = [[], [6, 3], [2, 3], [8, 3, 2, 3]]

    static func dashPattern(ofSeries index: Int) -> [Double] {
        dashPatterns[OkabeIto.cycle(ofSeries: index) % dashPatterns.count]
    }

    /// The chart as a standalone SVG document (with XML declaration).
    public func svg() -> String { svgDocument().render() }

    /// The chart as a document, e.g. to render it without XML declaration for inline HTML.
    public func svgDocument() -> SVGDocument { renderedDocument() }

    func layout() throws(PlotError) -> XYLayout {
        let finite = series.flatMap(\.points).filter(\.isFinite)
        var ys = finite.map(\.y)
        if let yRange { ys += [yRange.lowerBound, yRange.upperBound] }
        if let reference { ys.append(reference.value) }
        let legend =
            series.count > 1
            ? series.indices.map {
                LegendEntry(
                    label: series[$0].name,
                    symbol: .line(OkabeIto.color(ofSeries: $0), width: 2, dashPattern: Self.dashPattern(ofSeries: $0)))
            } : []
        return try XYLayout(
            size: size, header: ChartHeader(size: size, title: title, legend: legend), xLabel: xLabel, yLabel: yLabel,
            xs: XYLayout.extent(finite.map(\.x)), ys: XYLayout.extent(ys))
    }

    private var generatedSummary: String {
        let points = series.flatMap(\.points)
        let finite = points.filter(\.isFinite)
        var text = "Line chart of \(series.count) series"
        if !series.isEmpty { text += " (\(ChartText.list(series.map(\.name))))" }
        text += "."
        if let xs = ChartText.extent(finite.map(\.x)), let ys = ChartText.extent(finite.map(\.y)) {
            text += " \(xLabel.isEmpty ? "x" : xLabel) \(xs); \(yLabel.isEmpty ? "y" : yLabel) \(ys)."
        }
        if let reference { text += " Reference line: \(reference.label) at \(ChartText.number(reference.value))." }
        return text + ChartText.omitted(points.count - finite.count, what: "point")
    }

    func draw(_ layout: XYLayout) -> SVGDocument {
        var document = SVGDocument(size: size, title: title, description: summary ?? generatedSummary)
        layout.drawBackground(&document, size: size)
        let area = layout.area
        if let reference {
            let y = layout.yScale(reference.value)
            document.line(
                from: PlotPoint(x: area.left, y: y), to: PlotPoint(x: area.right, y: y),
                style: .stroked(.black, width: 1, dashPattern: [4, 4]), className: "reference-line")
        }
        for (index, one) in series.enumerated() {
            let color = OkabeIto.color(ofSeries: index)
            let pixels = one.points.map { point in
                point.isFinite ? PlotPoint(x: layout.xScale(point.x), y: layout.yScale(point.y)) : PlotPoint(x: .nan, y: .nan)
            }
            document.polyline(
                pixels, style: .stroked(color, width: 2, dashPattern: Self.dashPattern(ofSeries: index)),
                className: "series-line")
            guard showsMarkers else { continue }
            for (point, pixel) in zip(one.points, pixels) where point.isFinite {
                document.circle(
                    center: pixel, radius: 3, style: .filled(color), className: "series-marker",
                    tooltip: "\(one.name): \(ChartText.number(point.x)), \(ChartText.number(point.y))")
            }
        }
        if let reference {
            // The label goes over the lines, on a translucent white ground so that it stays readable.
            let font = ChartMetrics.tickFontSize
            let shown = TextMetrics.truncated(reference.label, toWidth: area.width - 12, fontSize: font)
            let width = TextMetrics.width(of: shown, fontSize: font)
            let y = layout.yScale(reference.value)
            document.rect(
                x: area.right - width - 8, y: y - font - 4, width: width + 6, height: font + 2,
                style: .filled(.white, opacity: 0.85), className: "reference-label-background")
            document.text(
                shown, at: PlotPoint(x: area.right - 5, y: y - 5), style: SVGTextStyle(fontSize: font, anchor: .end),
                className: "reference-label", tooltip: shown == reference.label ? nil : reference.label)
        }
        layout.drawAxes(&document, size: size, xLabel: xLabel, yLabel: yLabel)
        if !series.contains(where: { $0.points.contains(where: \.isFinite) }) { ChartText.drawNoData(&document, area: area) }
        return document
    }
}

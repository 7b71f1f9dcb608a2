/// x/y points, optionally in several coloured series, with axis titles and an optional annotation in the plot's
/// top-left corner (e.g. "r = 0.41"). For explanation fidelity against complexity.
///
/// Points with a non-finite coordinate are not drawn; the `<desc>` says how many. Both axes get nice-tick domains
/// enclosing the data. Points are translucent so that overplotting shows as darker areas.
public struct ScatterPlot: ChartDrawing, Sendable, Equatable {
    /// One named, coloured set of points.
    public typealias Series = PlotSeries

    public let title: String
    public let series: [Series]
    public let xLabel: String
    public let yLabel: String
    /// Text in the top-left corner of the plot area, nil for none.
    public let annotation: String?
    /// The `<desc>` text; nil for a generated one.
    public let summary: String?
    public let size: PlotSize

    public init(
        title: String, series: [Series], xLabel: String, yLabel: String, annotation: String? = nil, summary: String? = nil,
        size: PlotSize = .standard
    ) {
        self.title = title
        self.series = series
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.annotation = annotation
        self.summary = summary
        self.size = size
    }

    static let pointRadius = 3.5

    /// The chart as a standalone SVG document (with XML declaration).
    public func svg() -> String { svgDocument().render() }

    /// The chart as a document, e.g. to render it without XML declaration for inline HTML.
    public func svgDocument() -> SVGDocument { renderedDocument() }

    func layout() throws(PlotError) -> XYLayout {
        let finite = series.flatMap(\.points).filter(\.isFinite)
        let legend =
            series.count > 1
            ? series.indices.map { LegendEntry(label: series[$0].name, symbol: .point(OkabeIto.color(ofSeries: $0))) } : []
        return try XYLayout(
            size: size, header: ChartHeader(size: size, title: title, legend: legend), xLabel: xLabel, yLabel: yLabel,
            xs: XYLayout.extent(finite.map(\.x)), ys: XYLayout.extent(finite.map(\.y)))
    }

    private var generatedSummary: String {
        let points = series.flatMap(\.points)
        let finite = points.filter(\.isFinite)
        var text = "Scatter plot of \(finite.count) points"
        if series.count > 1 { text += " in \(series.count) series (\(ChartText.list(series.map(\.name))))" }
        text += "."
        if let xs = ChartText.extent(finite.map(\.x)), let ys = ChartText.extent(finite.map(\.y)) {
            text += " \(xLabel.isEmpty ? "x" : xLabel) \(xs); \(yLabel.isEmpty ? "y" : yLabel) \(ys)."
        }
        if let annotation { text += " \(annotation)." }
        return text + ChartText.omitted(points.count - finite.count, what: "point")
    }

    func draw(_ layout: XYLayout) -> SVGDocument {
        var document = SVGDocument(size: size, title: title, description: summary ?? generatedSummary)
        layout.drawBackground(&document, size: size)
        for (index, one) in series.enumerated() {
            let style = SVGStyle(fill: OkabeIto.color(ofSeries: index), fillOpacity: 0.7, stroke: .white, strokeWidth: 0.5)
            for point in one.points where point.isFinite {
                document.circle(
                    center: PlotPoint(x: layout.xScale(point.x), y: layout.yScale(point.y)), radius: Self.pointRadius,
                    style: style, className: "point")
            }
        }
        layout.drawAxes(&document, size: size, xLabel: xLabel, yLabel: yLabel)
        let area = layout.area
        if let annotation, !annotation.isEmpty {
            let font = ChartMetrics.axisTitleFontSize
            let shown = TextMetrics.truncated(annotation, toWidth: area.width - 16, fontSize: font)
            document.rect(
                x: area.left + 4, y: area.top + 4, width: TextMetrics.width(of: shown, fontSize: font) + 8, height: font + 8,
                style: .filled(.white, opacity: 0.85), className: "annotation-background")
            document.text(
                shown, at: PlotPoint(x: area.left + 8, y: area.top + 8), style: SVGTextStyle(fontSize: font, baseline: .hanging),
                className: "annotation", tooltip: shown == annotation ? nil : annotation)
        }
        if !series.contains(where: { $0.points.contains(where: \.isFinite) }) { ChartText.drawNoData(&document, area: area) }
        return document
    }
}

/// Grouped bars of signed values around a zero line: one group per category, one bar per series in each group,
/// with a legend when there is more than one series. E.g. the mean relative effect of each mid-level feature on
/// valence for one genre against all other genres, or the mean LIME weight per source.
///
/// The value axis always includes 0, so positive bars extend up (vertical) or right (horizontal) from the zero
/// line and negative ones the other way. Category labels that do not fit their band are rotated by 45° (vertical
/// bars) and truncated with "…"; the full label stays available as a tooltip. A non-finite value draws no bar and is
/// reported in the `<desc>`. With more than seven series the Okabe–Ito colours repeat. A series may carry an
/// interval per bar (e.g. a bootstrap confidence interval), drawn as an error bar with caps; the value axis then
/// covers the intervals too.
public struct BarChart: ChartDrawing, Sendable, Equatable {
    /// Vertical: categories along x, bars up and down. Horizontal: categories down the y axis, bars left and right,
    /// which suits many or long category names.
    public enum Orientation: Sendable, Equatable {
        case vertical
        case horizontal
    }

    /// One named series: a value for every category, in category order.
    public struct Series: Sendable, Equatable {
        public let name: String
        public let values: [Double]
        /// Per category, the (low, high) of an error bar, or nil for none; empty for no error bars.
        public let intervals: [ErrorBar?]

        public init(name: String, values: [Double], intervals: [ErrorBar?] = []) {
            self.name = name
            self.values = values
            self.intervals = intervals
        }
    }

    /// An error bar's ends, in value units.
    public struct ErrorBar: Sendable, Equatable {
        public let low: Double
        public let high: Double
        public init(low: Double, high: Double) {
            self.low = low
            self.high = high
        }
    }

    public let title: String
    public let categories: [String]
    public let series: [Series]
    public let orientation: Orientation
    /// Title of the value axis.
    public let valueLabel: String
    /// Title of the category axis ("" for none).
    public let categoryLabel: String
    /// The `<desc>` text; nil for a generated one (chart type, categories, series and value range).
    public let summary: String?
    public let size: PlotSize

    /// Throws `PlotError.lengthMismatch` if a series does not have exactly one value per category.
    public init(
        title: String, categories: [String], series: [Series], orientation: Orientation = .vertical, valueLabel: String,
        categoryLabel: String = "", summary: String? = nil, size: PlotSize = .standard
    ) throws(PlotError) {
        for one in series where one.values.count != categories.count {
            throw .lengthMismatch(what: "bar series \"\(one.name)\"", expected: categories.count, found: one.values.count)
        }
        for one in series where !one.intervals.isEmpty && one.intervals.count != categories.count {
            throw .lengthMismatch(
                what: "error bars of series \"\(one.name)\"", expected: categories.count, found: one.intervals.count)
        }
        self.title = title
        self.categories = categories
        self.series = series
        self.orientation = orientation
        self.valueLabel = valueLabel
        self.categoryLabel = categoryLabel
        self.summary = summary
        self.size = size
    }

    /// Where everything goes; internal so that tests can check pixel positions.
    struct Layout: Sendable {
        let header: ChartHeader
        let area: PixelRect
        let ticks: NiceTicks
        /// Maps values to x (horizontal bars) or y (vertical bars).
        let valueScale: LinearScale
        /// The shown (possibly truncated) category labels.
        let labels: [String]
        let labelFontSize: Double
        let rotatedLabels: Bool
        /// Width (vertical bars) or height (horizontal bars) of one category's band.
        let band: Double
    }

    /// The chart as a standalone SVG document (with XML declaration).
    public func svg() -> String { svgDocument().render() }

    /// The chart as a document, e.g. to render it without XML declaration for inline HTML.
    public func svgDocument() -> SVGDocument { renderedDocument() }

    func layout() throws(PlotError) -> Layout {
        let m = ChartMetrics.self
        let header = ChartHeader(size: size, title: title, legend: legendEntries)
        let bars = series.flatMap(\.intervals).compactMap { $0 }.flatMap { [$0.low, $0.high] }
        let finite = (series.flatMap(\.values) + bars).filter(\.isFinite)
        let low = min(0, finite.min() ?? 0)
        let high = max(0, finite.max() ?? 1)
        let count = Double(max(categories.count, 1))
        let top = header.bottom
        switch orientation {
        case .vertical:
            let roughBand = (size.width - 2 * m.padding - m.yTitleSpace(valueLabel) - 40) / count
            let font = m.tickFontSize
            let rotated = categories.contains { TextMetrics.width(of: $0, fontSize: font) > roughBand - 4 }
            let labelBudget = rotated ? min(180, 0.3 * size.height / m.cos45) : roughBand - 4
            let labels = categories.map { TextMetrics.truncated($0, toWidth: labelBudget, fontSize: font) }
            let widest = labels.map { TextMetrics.width(of: $0, fontSize: font) }.max() ?? 0
            let labelSpace = rotated ? m.cos45 * (widest + font) + m.tickLength + m.tickLabelGap : m.xTickLabelSpace
            let bottom = m.padding + m.xTitleSpace(categoryLabel) + labelSpace
            let height = max(size.height - top - bottom, 20)
            let ticks = try NiceTicks(covering: low, high, targetCount: m.tickTarget(axisLength: height, spacing: 50))
            let probe = try LinearScale(domain: ticks.domain, rangeStart: 1, rangeEnd: 0)
            let axisLeft =
                m.padding + m.yTitleSpace(valueLabel) + AxisPainter.labelWidth(ticks, in: probe) + m.tickLength + m.tickLabelGap
                + 2
            var left = axisLeft
            if rotated, let first = labels.first {
                // The first rotated label reaches left of its band; make room for it.
                let reach = m.cos45 * (TextMetrics.width(of: first, fontSize: font) + font)
                for _ in 0..<2 {
                    let band = (size.width - left - m.padding) / count
                    left = max(axisLeft, m.padding + reach - band / 2)
                }
            }
            let area = PixelRect(left: left, top: top, width: size.width - left - m.padding, height: height)
            let scale = try LinearScale(domain: ticks.domain, rangeStart: area.bottom, rangeEnd: area.top)
            return Layout(
                header: header, area: area, ticks: ticks, valueScale: scale, labels: labels, labelFontSize: font,
                rotatedLabels: rotated, band: area.width / count)
        case .horizontal:
            let bottom = m.padding + m.xTitleSpace(valueLabel) + m.xTickLabelSpace
            let height = max(size.height - top - bottom, 20)
            let font = min(m.tickFontSize, max(7, height / count * 0.8))
            let labels = categories.map {
                TextMetrics.truncated($0, toWidth: m.maximumLabelShare * size.width, fontSize: font)
            }
            let widest = labels.map { TextMetrics.width(of: $0, fontSize: font) }.max() ?? 0
            let left = m.padding + m.yTitleSpace(categoryLabel) + widest + m.tickLength + m.tickLabelGap + 2
            let roughWidth = size.width - left - m.padding - 20
            let ticks = try NiceTicks(covering: low, high, targetCount: m.tickTarget(axisLength: roughWidth, spacing: 80))
            let probe = try LinearScale(domain: ticks.domain, rangeStart: 0, rangeEnd: 1)
            let right = m.padding + max(AxisPainter.labelWidth(ticks, in: probe) / 2, 4)
            let area = PixelRect(left: left, top: top, width: size.width - left - right, height: height)
            let scale = try LinearScale(domain: ticks.domain, rangeStart: area.left, rangeEnd: area.right)
            return Layout(
                header: header, area: area, ticks: ticks, valueScale: scale, labels: labels, labelFontSize: font,
                rotatedLabels: false, band: height / count)
        }
    }

    /// The pixel rectangle of the bar of `category` in `series` (width or height may be 0 for a value of 0).
    func barRect(category: Int, series seriesIndex: Int, in layout: Layout) -> PixelRect {
        let band = layout.band
        let slot = band * 0.8 / Double(max(series.count, 1))
        let thickness = series.count > 1 ? slot * 0.9 : slot
        let zero = layout.valueScale(0)
        let end = layout.valueScale(series[seriesIndex].values[category])
        switch orientation {
        case .vertical:
            let x = layout.area.left + Double(category) * band + band * 0.1 + Double(seriesIndex) * slot + (slot - thickness) / 2
            return PixelRect(left: x, top: min(zero, end), width: thickness, height: (end - zero).magnitude)
        case .horizontal:
            let y = layout.area.top + Double(category) * band + band * 0.1 + Double(seriesIndex) * slot + (slot - thickness) / 2
            return PixelRect(left: min(zero, end), top: y, width: (end - zero).magnitude, height: thickness)
        }
    }

    /// A whisker from low to high through the bar's middle, with caps a third of the bar wide.
    private func drawErrorBar(_ document: inout SVGDocument, _ bar: ErrorBar, around r: PixelRect, in layout: Layout) {
        let style = SVGStyle.stroked(.black, width: 1)
        let (a, b) = (layout.valueScale(bar.low), layout.valueScale(bar.high))
        switch orientation {
        case .vertical:
            let x = r.left + r.width / 2
            let cap = r.width / 3
            document.line(from: PlotPoint(x: x, y: a), to: PlotPoint(x: x, y: b), style: style, className: "error-bar")
            for y in [a, b] {
                document.line(
                    from: PlotPoint(x: x - cap / 2, y: y), to: PlotPoint(x: x + cap / 2, y: y), style: style,
                    className: "error-bar")
            }
        case .horizontal:
            let y = r.top + r.height / 2
            let cap = r.height / 3
            document.line(from: PlotPoint(x: a, y: y), to: PlotPoint(x: b, y: y), style: style, className: "error-bar")
            for x in [a, b] {
                document.line(
                    from: PlotPoint(x: x, y: y - cap / 2), to: PlotPoint(x: x, y: y + cap / 2), style: style,
                    className: "error-bar")
            }
        }
    }

    private var legendEntries: [LegendEntry] {
        guard series.count > 1 else { return [] }
        return series.indices.map {
            LegendEntry(label: series[$0].name, symbol: .swatch(OkabeIto.color(ofSeries: $0), opacity: nil))
        }
    }

    private var generatedSummary: String {
        let kind = orientation == .vertical ? "Vertical" : "Horizontal"
        let shownCategories = categories.count <= 12 ? ": " + ChartText.list(categories) : ""
        let names = series.map(\.name)
        let seriesText = "\(series.count) series" + (series.isEmpty ? "" : " (\(ChartText.list(names)))")
        let values = series.flatMap(\.values)
        let range =
            ChartText.extent(values).map { " \(valueLabel.isEmpty ? "Values" : valueLabel) \($0)." } ?? " No finite values."
        let omitted = values.count - values.filter(\.isFinite).count
        return "\(kind) bar chart of \(categories.count) categories\(shownCategories); \(seriesText).\(range)"
            + ChartText.omitted(omitted)
    }

    func draw(_ layout: Layout) -> SVGDocument {
        let m = ChartMetrics.self
        var document = SVGDocument(size: size, title: title, description: summary ?? generatedSummary)
        document.rect(x: 0, y: 0, width: size.width, height: size.height, style: .filled(.white), className: "background")
        layout.header.draw(into: &document)
        let area = layout.area
        switch orientation {
        case .vertical: AxisPainter.drawHorizontalGrid(&document, scale: layout.valueScale, ticks: layout.ticks, area: area)
        case .horizontal: AxisPainter.drawVerticalGrid(&document, scale: layout.valueScale, ticks: layout.ticks, area: area)
        }
        for (j, one) in series.enumerated() {
            let style = SVGStyle.filled(OkabeIto.color(ofSeries: j))
            for (i, value) in one.values.enumerated() where value.isFinite {
                let r = barRect(category: i, series: j, in: layout)
                let name = categories[i] + (series.count > 1 ? " (\(one.name))" : "")
                let interval = i < one.intervals.count ? one.intervals[i] : nil
                let range = interval.map { " [\(ChartText.number($0.low)), \(ChartText.number($0.high))]" } ?? ""
                document.rect(
                    x: r.left, y: r.top, width: r.width, height: r.height, style: style, className: "bar",
                    tooltip: "\(name): \(ChartText.number(value))\(range)")
                if let interval, interval.low.isFinite, interval.high.isFinite {
                    drawErrorBar(&document, interval, around: r, in: layout)
                }
            }
        }
        let zero = layout.valueScale(0)
        switch orientation {
        case .vertical:
            document.line(
                from: PlotPoint(x: area.left, y: zero), to: PlotPoint(x: area.right, y: zero), style: m.zeroLine,
                className: "zero-line")
            AxisPainter.drawAxisLines(&document, area: area)
            AxisPainter.drawLeftTicks(&document, scale: layout.valueScale, ticks: layout.ticks, area: area)
            AxisPainter.drawYTitle(&document, valueLabel, area: area)
            AxisPainter.drawXTitle(&document, categoryLabel, area: area, size: size)
            let y = area.bottom + m.tickLength + m.tickLabelGap
            let style =
                layout.rotatedLabels
                ? SVGTextStyle(fontSize: layout.labelFontSize, anchor: .end, baseline: .central, rotation: -45)
                : SVGTextStyle(fontSize: layout.labelFontSize, anchor: .middle, baseline: .hanging)
            for (i, label) in layout.labels.enumerated() {
                let x = area.left + (Double(i) + 0.5) * layout.band
                document.text(
                    label, at: PlotPoint(x: x, y: y), style: style, className: "category-label",
                    tooltip: label == categories[i] ? nil : categories[i])
            }
        case .horizontal:
            document.line(
                from: PlotPoint(x: zero, y: area.top), to: PlotPoint(x: zero, y: area.bottom), style: m.zeroLine,
                className: "zero-line")
            AxisPainter.drawAxisLines(&document, area: area)
            AxisPainter.drawBottomTicks(&document, scale: layout.valueScale, ticks: layout.ticks, area: area)
            AxisPainter.drawXTitle(&document, valueLabel, area: area, size: size)
            AxisPainter.drawYTitle(&document, categoryLabel, area: area)
            let style = SVGTextStyle(fontSize: layout.labelFontSize, anchor: .end, baseline: .central)
            for (i, label) in layout.labels.enumerated() {
                let y = area.top + (Double(i) + 0.5) * layout.band
                document.text(
                    label, at: PlotPoint(x: area.left - m.tickLength - m.tickLabelGap, y: y), style: style,
                    className: "category-label", tooltip: label == categories[i] ? nil : categories[i])
            }
        }
        if categories.isEmpty || series.isEmpty || !series.contains(where: { $0.values.contains(where: \.isFinite) }) {
            ChartText.drawNoData(&document, area: area)
        }
        return document
    }
}

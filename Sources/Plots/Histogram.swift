import Core

/// Counts of a sample in equal-width bins over a given range, with an optional shaded band (e.g. mean ± standard
/// deviation of a random baseline) and an optional vertical marker line. For the distributions of explanation
/// fidelity and complexity against the random-complexity baseline.
///
/// Binning follows numpy's `histogram`: bins are half-open `[e_i, e_i+1)` except the last, which also holds the upper
/// edge; values outside the range and non-finite values are not counted (the `<desc>` says how many). The x axis spans
/// exactly the range, so the bins line up with it; a band is clipped to it and a marker outside it is not drawn.
public struct Histogram: ChartDrawing, Sendable, Equatable {
    /// A shaded x interval drawn behind the bins.
    public struct Band: Sendable, Equatable {
        public let lower: Double
        public let upper: Double
        public let label: String

        /// Throws `PlotError.nonFiniteValue` for a non-finite bound and `.emptyRange` if `lower > upper`.
        public init(lower: Double, upper: Double, label: String) throws(PlotError) {
            guard lower.isFinite, upper.isFinite else { throw .nonFiniteValue(parameter: "band \"\(label)\" bound") }
            guard lower <= upper else { throw .emptyRange(parameter: "band \"\(label)\"", lower: lower, upper: upper) }
            self.lower = lower
            self.upper = upper
            self.label = label
        }

        /// mean − standard deviation … mean + standard deviation of `summary` (population standard deviation, as
        /// `SampleSummary` reports it).
        public static func meanPlusMinusStandardDeviation(of summary: SampleSummary, label: String) throws(PlotError) -> Band {
            try Band(
                lower: summary.mean - summary.standardDeviation, upper: summary.mean + summary.standardDeviation, label: label)
        }
    }

    /// A vertical line at an x value.
    public struct Marker: Sendable, Equatable {
        public let value: Double
        public let label: String

        /// Throws `PlotError.nonFiniteValue` for a non-finite value.
        public init(value: Double, label: String) throws(PlotError) {
            guard value.isFinite else { throw .nonFiniteValue(parameter: "marker \"\(label)\"") }
            self.value = value
            self.label = label
        }
    }

    public let title: String
    public let values: [Double]
    public let range: ClosedRange<Double>
    public let binCount: Int
    /// Legend name of the bins (shown when there is a band or a marker).
    public let sampleLabel: String
    public let band: Band?
    public let marker: Marker?
    public let xLabel: String
    public let yLabel: String
    /// The `<desc>` text; nil for a generated one.
    public let summary: String?
    public let size: PlotSize
    /// Count of each bin, computed once.
    public let counts: [Int]

    /// Throws `PlotError.nonFiniteValue` for a non-finite range bound, `.emptyRange` for a range of zero width,
    /// `.invalidCount` for a bin count outside 1…1000.
    public init(
        title: String, values: [Double], range: ClosedRange<Double>, binCount: Int, sampleLabel: String = "sample",
        band: Band? = nil, marker: Marker? = nil, xLabel: String, yLabel: String = "count", summary: String? = nil,
        size: PlotSize = .standard
    ) throws(PlotError) {
        guard range.lowerBound.isFinite, range.upperBound.isFinite else { throw .nonFiniteValue(parameter: "histogram range") }
        guard range.lowerBound < range.upperBound else {
            throw .emptyRange(parameter: "histogram range", lower: range.lowerBound, upper: range.upperBound)
        }
        guard (1...1000).contains(binCount) else {
            throw .invalidCount(parameter: "bin count", count: binCount, allowed: 1...1000)
        }
        guard (range.upperBound - range.lowerBound).isFinite else {
            throw .unrepresentableDomain(lower: range.lowerBound, upper: range.upperBound)
        }
        self.title = title
        self.values = values
        self.range = range
        self.binCount = binCount
        self.sampleLabel = sampleLabel
        self.band = band
        self.marker = marker
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.summary = summary
        self.size = size
        counts = Self.binCounts(values, range: range, binCount: binCount)
    }

    /// Edge `index` (0…binCount) of the bins, as numpy's `linspace` computes it (the last edge is the upper bound).
    public func edge(_ index: Int) -> Double {
        Self.edge(index, range: range, binCount: binCount)
    }

    /// Where everything goes; internal so that tests can check pixel positions.
    struct Layout: Sendable {
        let header: ChartHeader
        let area: PixelRect
        let xTicks: NiceTicks
        let yTicks: NiceTicks
        let xScale: LinearScale
        let yScale: LinearScale
    }

    /// The chart as a standalone SVG document (with XML declaration).
    public func svg() -> String { svgDocument().render() }

    /// The chart as a document, e.g. to render it without XML declaration for inline HTML.
    public func svgDocument() -> SVGDocument { renderedDocument() }

    func layout() throws(PlotError) -> Layout {
        let m = ChartMetrics.self
        let header = ChartHeader(size: size, title: title, legend: legendEntries)
        let top = header.bottom
        let bottom = m.padding + m.xTitleSpace(xLabel) + m.xTickLabelSpace
        let height = max(size.height - top - bottom, 20)
        let yTicks = try NiceTicks(
            covering: 0, Double(max(counts.max() ?? 0, 1)), targetCount: m.tickTarget(axisLength: height, spacing: 50),
            integral: true)
        let probe = try LinearScale(domain: yTicks.domain, rangeStart: 1, rangeEnd: 0)
        let left =
            m.padding + m.yTitleSpace(yLabel) + AxisPainter.labelWidth(yTicks, in: probe) + m.tickLength + m.tickLabelGap + 2
        let roughWidth = size.width - left - m.padding - 20
        let xTicks = try NiceTicks(
            covering: range.lowerBound, range.upperBound, targetCount: m.tickTarget(axisLength: roughWidth, spacing: 80))
        let xProbe = try LinearScale(domain: range, rangeStart: 0, rangeEnd: 1)
        let right = m.padding + max(AxisPainter.labelWidth(xTicks, in: xProbe) / 2, 4)
        let area = PixelRect(left: left, top: top, width: size.width - left - right, height: height)
        return Layout(
            header: header, area: area, xTicks: xTicks, yTicks: yTicks,
            xScale: try LinearScale(domain: range, rangeStart: area.left, rangeEnd: area.right),
            yScale: try LinearScale(domain: yTicks.domain, rangeStart: area.bottom, rangeEnd: area.top))
    }

    static func binCounts(_ values: [Double], range: ClosedRange<Double>, binCount: Int) -> [Int] {
        var counts = [Int](repeating: 0, count: binCount)
        let low = range.lowerBound
        let high = range.upperBound
        let norm = Double(binCount) / (high - low)
        for value in values where value.isFinite && value >= low && value <= high {
            var index = min(Int(((value - low) * norm).rounded(.down)), binCount - 1)
            // As numpy does: the product can land one bin off near an edge; settle it against the edges themselves.
            if index > 0 && value < edge(index, range: range, binCount: binCount) { index -= 1 }
            if index < binCount - 1 && value >= edge(index + 1, range: range, binCount: binCount) { index += 1 }
            counts[index] += 1
        }
        return counts
    }

    private static func edge(_ index: Int, range: ClosedRange<Double>, binCount: Int) -> Double {
        if index >= binCount { return range.upperBound }
        return range.lowerBound + Double(index) * ((range.upperBound - range.lowerBound) / Double(binCount))
    }

    private static let binColor = OkabeIto.blue
    private static let bandColor = OkabeIto.orange
    private static let markerColor = OkabeIto.vermillion
    private static let markerDash = [6.0, 3.0]

    private var legendEntries: [LegendEntry] {
        guard band != nil || marker != nil else { return [] }
        var entries = [LegendEntry(label: sampleLabel, symbol: .swatch(Self.binColor, opacity: 0.8))]
        if let band { entries.append(LegendEntry(label: band.label, symbol: .swatch(Self.bandColor, opacity: 0.3))) }
        if let marker {
            entries.append(
                LegendEntry(label: marker.label, symbol: .line(Self.markerColor, width: 2, dashPattern: Self.markerDash)))
        }
        return entries
    }

    private var generatedSummary: String {
        let counted = counts.reduce(0, +)
        let nonFinite = values.count - values.filter(\.isFinite).count
        let outside = values.count - nonFinite - counted
        var text =
            "Histogram of \(counted) values of \(xLabel.isEmpty ? sampleLabel : xLabel) in \(binCount) bins "
            + "from \(ChartText.number(range.lowerBound)) to \(ChartText.number(range.upperBound)); "
            + "counts \(counts.map(String.init).joined(separator: ", "))."
        if let sample = SampleSummary(values.filter { $0.isFinite }) {
            text +=
                " Sample mean \(ChartText.number(sample.mean)), standard deviation \(ChartText.number(sample.standardDeviation))."
        }
        if let band { text += " Shaded: \(band.label), \(ChartText.number(band.lower)) to \(ChartText.number(band.upper))." }
        if let marker { text += " Line: \(marker.label) at \(ChartText.number(marker.value))." }
        if outside > 0 { text += " \(outside) value\(outside == 1 ? "" : "s") outside the range not shown." }
        return text + ChartText.omitted(nonFinite)
    }

    func draw(_ layout: Layout) -> SVGDocument {
        let area = layout.area
        var document = SVGDocument(size: size, title: title, description: summary ?? generatedSummary)
        document.rect(x: 0, y: 0, width: size.width, height: size.height, style: .filled(.white), className: "background")
        layout.header.draw(into: &document)
        AxisPainter.drawHorizontalGrid(&document, scale: layout.yScale, ticks: layout.yTicks, area: area)
        if let band, band.upper >= range.lowerBound, band.lower <= range.upperBound {
            let x0 = layout.xScale.clamped(band.lower)
            let x1 = layout.xScale.clamped(band.upper)
            document.rect(
                x: x0, y: area.top, width: x1 - x0, height: area.height, style: .filled(Self.bandColor, opacity: 0.3),
                className: "band",
                tooltip: "\(band.label): \(ChartText.number(band.lower)) to \(ChartText.number(band.upper))")
        }
        let zero = layout.yScale(0)
        for (index, count) in counts.enumerated() {
            let x0 = layout.xScale(edge(index))
            let x1 = layout.xScale(edge(index + 1))
            let y = layout.yScale(Double(count))
            document.rect(
                x: x0, y: y, width: x1 - x0, height: zero - y,
                style: SVGStyle(fill: Self.binColor, fillOpacity: 0.8, stroke: .white, strokeWidth: 0.5), className: "bin",
                tooltip: "\(ChartText.number(edge(index))) to \(ChartText.number(edge(index + 1))): \(count)")
        }
        if let marker, layout.xScale.contains(marker.value) {
            let x = layout.xScale(marker.value)
            document.line(
                from: PlotPoint(x: x, y: area.top), to: PlotPoint(x: x, y: area.bottom),
                style: .stroked(Self.markerColor, width: 2, dashPattern: Self.markerDash), className: "marker")
        }
        AxisPainter.drawAxisLines(&document, area: area)
        AxisPainter.drawLeftTicks(&document, scale: layout.yScale, ticks: layout.yTicks, area: area)
        AxisPainter.drawBottomTicks(&document, scale: layout.xScale, ticks: layout.xTicks, area: area)
        AxisPainter.drawXTitle(&document, xLabel, area: area, size: size)
        AxisPainter.drawYTitle(&document, yLabel, area: area)
        if counts.allSatisfy({ $0 == 0 }) { ChartText.drawNoData(&document, area: area, message: "no values in range") }
        return document
    }
}

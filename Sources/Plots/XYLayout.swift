/// The layout shared by charts with two numeric axes (scatter and line charts): header on top, y tick labels on
/// the left, x tick labels below, and nice-tick domains that enclose the data.
struct XYLayout: Sendable {
    let header: ChartHeader
    let area: PixelRect
    let xTicks: NiceTicks
    let yTicks: NiceTicks
    let xScale: LinearScale
    let yScale: LinearScale

    /// `xs` and `ys` are the finite data extents to enclose (nil when there is no finite data: then 0…1).
    init(
        size: PlotSize, header: ChartHeader, xLabel: String, yLabel: String, xs: ClosedRange<Double>?,
        ys: ClosedRange<Double>?
    ) throws(PlotError) {
        let m = ChartMetrics.self
        let top = header.bottom
        let bottom = m.padding + m.xTitleSpace(xLabel) + m.xTickLabelSpace
        let height = max(size.height - top - bottom, 20)
        let yTicks = try NiceTicks(
            covering: ys?.lowerBound ?? 0, ys?.upperBound ?? 1, targetCount: m.tickTarget(axisLength: height, spacing: 50))
        let yProbe = try LinearScale(domain: yTicks.domain, rangeStart: 1, rangeEnd: 0)
        let left =
            m.padding + m.yTitleSpace(yLabel) + AxisPainter.labelWidth(yTicks, in: yProbe) + m.tickLength + m.tickLabelGap + 2
        let roughWidth = size.width - left - m.padding - 20
        let xTicks = try NiceTicks(
            covering: xs?.lowerBound ?? 0, xs?.upperBound ?? 1, targetCount: m.tickTarget(axisLength: roughWidth, spacing: 80))
        let xProbe = try LinearScale(domain: xTicks.domain, rangeStart: 0, rangeEnd: 1)
        let right = m.padding + max(AxisPainter.labelWidth(xTicks, in: xProbe) / 2, 4)
        let area = PixelRect(left: left, top: top, width: size.width - left - right, height: height)
        self.header = header
        self.area = area
        self.xTicks = xTicks
        self.yTicks = yTicks
        xScale = try LinearScale(domain: xTicks.domain, rangeStart: area.left, rangeEnd: area.right)
        yScale = try LinearScale(domain: yTicks.domain, rangeStart: area.bottom, rangeEnd: area.top)
    }

    /// The smallest closed interval holding the finite values, or nil when there are none.
    static func extent(_ values: some Sequence<Double>) -> ClosedRange<Double>? {
        var low = Double.infinity
        var high = -Double.infinity
        for value in values where value.isFinite {
            low = min(low, value)
            high = max(high, value)
        }
        return low <= high ? low...high : nil
    }

    /// Background, header and grid: what goes under the data.
    func drawBackground(_ document: inout SVGDocument, size: PlotSize) {
        document.rect(x: 0, y: 0, width: size.width, height: size.height, style: .filled(.white), className: "background")
        header.draw(into: &document)
        AxisPainter.drawHorizontalGrid(&document, scale: yScale, ticks: yTicks, area: area)
        AxisPainter.drawVerticalGrid(&document, scale: xScale, ticks: xTicks, area: area)
    }

    /// Axis lines, ticks and titles: what goes over the data.
    func drawAxes(_ document: inout SVGDocument, size: PlotSize, xLabel: String, yLabel: String) {
        AxisPainter.drawAxisLines(&document, area: area)
        AxisPainter.drawLeftTicks(&document, scale: yScale, ticks: yTicks, area: area)
        AxisPainter.drawBottomTicks(&document, scale: xScale, ticks: xTicks, area: area)
        AxisPainter.drawXTitle(&document, xLabel, area: area, size: size)
        AxisPainter.drawYTitle(&document, yLabel, area: area)
    }
}

/// Drawing of numeric axes around a plot area: grid lines, tick marks, tick labels, axis lines and titles.
/// Grid lines go first (behind the data); ticks, labels and axis lines after the data.
enum AxisPainter {
    /// The ticks inside the scale's domain (a relative tolerance keeps end ticks lost to rounding).
    static func visibleTicks(_ ticks: NiceTicks, in scale: LinearScale) -> [Double] {
        let tolerance = 1e-9 * max(scale.domainUpper - scale.domainLower, ticks.step)
        return ticks.values.filter { $0 >= scale.domainLower - tolerance && $0 <= scale.domainUpper + tolerance }
    }

    /// The widest tick label of an axis, in px.
    static func labelWidth(_ ticks: NiceTicks, in scale: LinearScale) -> Double {
        visibleTicks(ticks, in: scale).map { TextMetrics.width(of: ticks.label($0), fontSize: ChartMetrics.tickFontSize) }
            .max() ?? 0
    }

    /// Horizontal grid lines at the ticks of a vertical value axis.
    static func drawHorizontalGrid(_ document: inout SVGDocument, scale: LinearScale, ticks: NiceTicks, area: PixelRect) {
        for tick in visibleTicks(ticks, in: scale) {
            let y = scale(tick)
            document.line(
                from: PlotPoint(x: area.left, y: y), to: PlotPoint(x: area.right, y: y), style: ChartMetrics.gridLine,
                className: "grid-line")
        }
    }

    /// Vertical grid lines at the ticks of a horizontal value axis.
    static func drawVerticalGrid(_ document: inout SVGDocument, scale: LinearScale, ticks: NiceTicks, area: PixelRect) {
        for tick in visibleTicks(ticks, in: scale) {
            let x = scale(tick)
            document.line(
                from: PlotPoint(x: x, y: area.top), to: PlotPoint(x: x, y: area.bottom), style: ChartMetrics.gridLine,
                className: "grid-line")
        }
    }

    /// Tick marks and right-aligned labels left of the plot area.
    static func drawLeftTicks(_ document: inout SVGDocument, scale: LinearScale, ticks: NiceTicks, area: PixelRect) {
        let m = ChartMetrics.self
        let style = SVGTextStyle(fontSize: m.tickFontSize, anchor: .end, baseline: .central)
        for tick in visibleTicks(ticks, in: scale) {
            let y = scale(tick)
            document.line(
                from: PlotPoint(x: area.left - m.tickLength, y: y), to: PlotPoint(x: area.left, y: y), style: m.axisLine,
                className: "tick")
            document.text(
                ticks.label(tick), at: PlotPoint(x: area.left - m.tickLength - m.tickLabelGap, y: y), style: style,
                className: "tick-label")
        }
    }

    /// Tick marks and centred labels below the plot area.
    static func drawBottomTicks(_ document: inout SVGDocument, scale: LinearScale, ticks: NiceTicks, area: PixelRect) {
        let m = ChartMetrics.self
        let style = SVGTextStyle(fontSize: m.tickFontSize, anchor: .middle, baseline: .hanging)
        for tick in visibleTicks(ticks, in: scale) {
            let x = scale(tick)
            document.line(
                from: PlotPoint(x: x, y: area.bottom), to: PlotPoint(x: x, y: area.bottom + m.tickLength), style: m.axisLine,
                className: "tick")
            document.text(
                ticks.label(tick), at: PlotPoint(x: x, y: area.bottom + m.tickLength + m.tickLabelGap), style: style,
                className: "tick-label")
        }
    }

    /// The left and bottom edges of the plot area.
    static func drawAxisLines(_ document: inout SVGDocument, area: PixelRect) {
        document.line(
            from: PlotPoint(x: area.left, y: area.top), to: PlotPoint(x: area.left, y: area.bottom),
            style: ChartMetrics.axisLine, className: "axis-line")
        document.line(
            from: PlotPoint(x: area.left, y: area.bottom), to: PlotPoint(x: area.right, y: area.bottom),
            style: ChartMetrics.axisLine, className: "axis-line")
    }

    /// A centred title at the bottom edge of the canvas, truncated to the plot area's width.
    static func drawXTitle(_ document: inout SVGDocument, _ label: String, area: PixelRect, size: PlotSize) {
        guard !label.isEmpty else { return }
        let m = ChartMetrics.self
        let shown = TextMetrics.truncated(label, toWidth: area.width, fontSize: m.axisTitleFontSize)
        document.text(
            shown, at: PlotPoint(x: area.centerX, y: size.height - m.padding),
            style: SVGTextStyle(fontSize: m.axisTitleFontSize, anchor: .middle), className: "axis-title",
            tooltip: shown == label ? nil : label)
    }

    /// A title rotated by -90° at the left edge of the canvas, truncated to the plot area's height.
    static func drawYTitle(_ document: inout SVGDocument, _ label: String, area: PixelRect) {
        guard !label.isEmpty else { return }
        let m = ChartMetrics.self
        let shown = TextMetrics.truncated(label, toWidth: area.height, fontSize: m.axisTitleFontSize)
        document.text(
            shown, at: PlotPoint(x: m.padding + m.axisTitleFontSize / 2, y: area.centerY),
            style: SVGTextStyle(fontSize: m.axisTitleFontSize, anchor: .middle, baseline: .central, rotation: -90),
            className: "axis-title", tooltip: shown == label ? nil : label)
    }
}

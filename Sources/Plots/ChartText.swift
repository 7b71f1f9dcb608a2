/// Wording shared by the charts' `<desc>` texts and their fallback documents.
enum ChartText {
    /// A value for prose: up to 3 decimals, trailing zeros dropped.
    static func number(_ value: Double) -> String {
        PlotNumberFormat.fixed(value, decimals: 3, trimmingZeros: true) ?? "not finite"
    }

    /// "from a to b" over the finite values, or nil when there are none.
    static func extent(_ values: [Double]) -> String? {
        let finite = values.filter(\.isFinite)
        guard let low = finite.min(), let high = finite.max() else { return nil }
        return "from \(number(low)) to \(number(high))"
    }

    /// The sentence that reports skipped values, or "" when none were skipped.
    static func omitted(_ count: Int, what: String = "value") -> String {
        switch count {
        case 0: ""
        case 1: " 1 non-finite \(what) omitted."
        default: " \(count) non-finite \(what)s omitted."
        }
    }

    /// A names list for prose: "A, B and C".
    static func list(_ names: [String]) -> String {
        guard names.count > 1 else { return names.first ?? "" }
        return names.dropLast().joined(separator: ", ") + " and " + (names.last ?? "")
    }

    /// The document drawn when a chart's data cannot be put on axes (e.g. values near the limits of binary64):
    /// the title, and the reason as text, instead of a crash or a malformed figure.
    static func fallbackDocument(size: PlotSize, title: String, error: PlotError) -> SVGDocument {
        var document = SVGDocument(size: size, title: title, description: "This chart could not be drawn: \(error).")
        document.rect(x: 0, y: 0, width: size.width, height: size.height, style: .filled(.white), className: "background")
        let header = ChartHeader(size: size, title: title, legend: [])
        header.draw(into: &document)
        let message = TextMetrics.truncated(
            "cannot draw this chart: \(error)", toWidth: size.width - 2 * ChartMetrics.padding,
            fontSize: ChartMetrics.tickFontSize)
        document.text(
            message, at: PlotPoint(x: size.width / 2, y: size.height / 2),
            style: SVGTextStyle(fontSize: ChartMetrics.tickFontSize, anchor: .middle, baseline: .central), className: "no-data",
            tooltip: "\(error)")
        return document
    }

    /// A "no data" note in the middle of an empty plot area.
    static func drawNoData(_ document: inout SVGDocument, area: PixelRect, message: String = "no finite data") {
        document.text(
            message, at: PlotPoint(x: area.centerX, y: area.centerY),
            style: SVGTextStyle(fontSize: ChartMetrics.tickFontSize, anchor: .middle, baseline: .central), className: "no-data")
    }
}

/// One legend item: a symbol drawn in the series style and a label.
struct LegendEntry: Sendable, Equatable {
    enum Symbol: Sendable, Equatable {
        /// A filled square, for bars and bins.
        case swatch(SVGColor, opacity: Double?)
        /// A short line, for line series and reference lines.
        case line(SVGColor, width: Double, dashPattern: [Double])
        /// A dot, for scatter series.
        case point(SVGColor)
    }

    let label: String
    let symbol: Symbol
}

/// The title line and legend rows above the plot area. Long titles and legend labels are truncated to the width;
/// legend items flow left to right and wrap onto further rows.
struct ChartHeader: Sendable {
    private struct Item: Sendable {
        let entry: LegendEntry
        let text: String
        let x: Double
        let row: Int
    }

    private let title: String
    private let shownTitle: String
    private let items: [Item]
    private let rowCount: Int
    private let legendTop: Double
    /// The y where the plot area may start.
    let bottom: Double

    init(size: PlotSize, title: String, legend: [LegendEntry]) {
        let m = ChartMetrics.self
        let available = size.width - 2 * m.padding
        self.title = title
        shownTitle = TextMetrics.truncated(title, toWidth: available, fontSize: m.titleFontSize)
        var y = m.padding
        if !title.isEmpty { y += m.titleFontSize + m.headerGap }
        legendTop = y
        var placed: [Item] = []
        var x = m.padding
        var row = 0
        let symbolWidth = m.legendSwatch + 5
        for entry in legend {
            let text = TextMetrics.truncated(entry.label, toWidth: available - symbolWidth, fontSize: m.legendFontSize)
            let itemWidth = symbolWidth + TextMetrics.width(of: text, fontSize: m.legendFontSize)
            if x > m.padding && x + itemWidth > size.width - m.padding {
                row += 1
                x = m.padding
            }
            placed.append(Item(entry: entry, text: text, x: x, row: row))
            x += itemWidth + 16
        }
        items = placed
        rowCount = placed.isEmpty ? 0 : row + 1
        y += Double(rowCount) * m.legendRowHeight
        bottom = y + (rowCount > 0 ? m.headerGap / 2 : 0) + m.headerGap
    }

    func draw(into document: inout SVGDocument) {
        let m = ChartMetrics.self
        if !title.isEmpty {
            document.text(
                shownTitle, at: PlotPoint(x: m.padding, y: m.padding), style: m.titleStyle, className: "chart-title",
                tooltip: shownTitle == title ? nil : title)
        }
        let textStyle = SVGTextStyle(fontSize: m.legendFontSize, baseline: .central)
        for item in items {
            let centerY = legendTop + Double(item.row) * m.legendRowHeight + m.legendRowHeight / 2
            let s = m.legendSwatch
            switch item.entry.symbol {
            case let .swatch(color, opacity):
                document.rect(
                    x: item.x, y: centerY - s / 2, width: s, height: s, style: .filled(color, opacity: opacity),
                    className: "legend-swatch")
            case let .line(color, width, dashPattern):
                document.line(
                    from: PlotPoint(x: item.x, y: centerY), to: PlotPoint(x: item.x + s, y: centerY),
                    style: .stroked(color, width: width, dashPattern: dashPattern), className: "legend-line")
            case let .point(color):
                document.circle(
                    center: PlotPoint(x: item.x + s / 2, y: centerY), radius: 4, style: .filled(color),
                    className: "legend-point")
            }
            document.text(
                item.text, at: PlotPoint(x: item.x + s + 5, y: centerY), style: textStyle, className: "legend-label",
                tooltip: item.text == item.entry.label ? nil : item.entry.label)
        }
    }
}

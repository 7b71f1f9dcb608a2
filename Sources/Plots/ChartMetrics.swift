/// Fixed sizes (px) and colours shared by the chart types, so that all figures of a report look alike.
enum ChartMetrics {
    static let padding = 12.0
    static let titleFontSize = 15.0
    static let axisTitleFontSize = 12.0
    static let tickFontSize = 11.0
    static let legendFontSize = 11.0
    static let tickLength = 5.0
    static let tickLabelGap = 3.0
    /// Space between the title and the legend, and between the header and the plot area.
    static let headerGap = 8.0
    static let legendRowHeight = 18.0
    static let legendSwatch = 12.0
    /// Largest share of the width that category labels on the left may take before they are truncated.
    static let maximumLabelShare = 0.35
    static let cos45 = 0.5.squareRoot()

    static let titleStyle = SVGTextStyle(fontSize: titleFontSize, bold: true, baseline: .hanging)
    static let axisLine = SVGStyle.stroked(.ink, width: 1)
    static let gridLine = SVGStyle.stroked(.grid, width: 1)
    static let zeroLine = SVGStyle.stroked(.black, width: 1.25)

    /// About one tick per `spacing` px of axis, between 2 and 10.
    static func tickTarget(axisLength: Double, spacing: Double) -> Int {
        guard axisLength.isFinite, axisLength > 0 else { return 2 }
        return min(10, max(2, Int(axisLength / spacing)))
    }

    /// Horizontal space taken by a rotated y-axis title (0 without one).
    static func yTitleSpace(_ label: String) -> Double {
        label.isEmpty ? 0 : axisTitleFontSize + headerGap
    }

    /// Vertical space taken by an x-axis title (0 without one).
    static func xTitleSpace(_ label: String) -> Double {
        label.isEmpty ? 0 : axisTitleFontSize + headerGap
    }

    /// Vertical space of horizontal tick labels under an axis, tick marks included.
    static let xTickLabelSpace = tickLength + tickLabelGap + tickFontSize + 2
}

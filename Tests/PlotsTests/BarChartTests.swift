import Testing

@testable import Plots

@Suite struct BarChartTests {
    static let features = [
        "melodiousness", "articulation", "rhythm complexity", "rhythm stability", "dissonance", "tonal stability", "minorness",
    ]

    @Test func oneRectanglePerFiniteBarAndALegend() throws {
        let chart = try BarChart(
            title: "Mean relative effect on valence", categories: ["a", "b", "c"],
            series: [
                .init(name: "Rock", values: [0.1, -0.2, 0.3]), .init(name: "all other genres", values: [0.05, .nan, -0.1]),
            ],
            valueLabel: "relative effect")
        let svg = chart.svg()
        let parsed = try ParsedSVG(svg)
        #expect(parsed.all("rect", class: "bar").count == 5)
        #expect(parsed.all("rect", class: "legend-swatch").count == 2)
        #expect(parsed.all("text", class: "legend-label").map(\.text) == ["Rock", "all other genres"])
        #expect(parsed.all("text", class: "category-label").map(\.text) == ["a", "b", "c"])
        #expect(parsed.all("desc").first?.text.contains("1 non-finite value omitted") == true)
        // Series differ in colour.
        #expect(Set(parsed.all("rect", class: "bar").compactMap { $0.attributes["fill"] }).count == 2)
        #expect(!containsNonFiniteText(svg))
    }

    @Test(arguments: [BarChart.Orientation.vertical, .horizontal])
    func barsSitOnTheCorrectSideOfTheZeroLine(orientation: BarChart.Orientation) throws {
        let chart = try BarChart(
            title: "signed", categories: ["up", "down"], series: [.init(name: "s", values: [0.5, -0.25])],
            orientation: orientation, valueLabel: "effect")
        let parsed = try ParsedSVG(chart.svg())
        let zero = try #require(parsed.all("line", class: "zero-line").first)
        let bars = parsed.all("rect", class: "bar")
        try #require(bars.count == 2)
        let (positive, negative) = (bars[0], bars[1])
        switch orientation {
        case .vertical:
            let zeroY = try zero.number("y1")
            #expect(try zero.number("y2") == zeroY)
            // Positive: above the line (smaller y), touching it.
            #expect(try abs(positive.number("y") + positive.number("height") - zeroY) < 0.011)
            #expect(try positive.number("y") < zeroY - 1)
            // Negative: below the line, half as long.
            #expect(try abs(negative.number("y") - zeroY) < 0.011)
            #expect(try abs(negative.number("height") * 2 - positive.number("height")) < 0.03)
        case .horizontal:
            let zeroX = try zero.number("x1")
            #expect(try zero.number("x2") == zeroX)
            #expect(try abs(positive.number("x") - zeroX) < 0.011)
            #expect(try positive.number("width") > 1)
            #expect(try abs(negative.number("x") + negative.number("width") - zeroX) < 0.011)
            #expect(try abs(negative.number("width") * 2 - positive.number("width")) < 0.03)
        }
    }

    /// Error bars (issue 16): one whisker and two caps per bar with an interval, at the interval's
    /// pixels; the value axis covers the intervals; a wrong count of intervals is refused.
    @Test func errorBarsSpanTheirIntervalsAndWidenTheAxis() throws {
        let chart = try BarChart(
            title: "with intervals", categories: ["a", "b"],
            series: [.init(name: "s", values: [0.5, 0.2], intervals: [.init(low: 0.25, high: 1.5), nil])], valueLabel: "v")
        let layout = try chart.layout()
        #expect((layout.ticks.values.last ?? 0) >= 1.5)
        let lines = try ParsedSVG(chart.svg()).all("line", class: "error-bar")
        #expect(lines.count == 3, "one whisker and two caps for the one bar with an interval")
        let whisker = try #require(lines.first)
        #expect(try abs(whisker.number("y1") - layout.valueScale(0.25)) < 0.006)
        #expect(try abs(whisker.number("y2") - layout.valueScale(1.5)) < 0.006)
        #expect(throws: PlotError.self) {
            try BarChart(
                title: "t", categories: ["a", "b"], series: [.init(name: "s", values: [1, 2], intervals: [nil])], valueLabel: "v")
        }
    }

    @Test func valuesMapThroughTheScaleToKnownPixels() throws {
        let chart = try BarChart(
            title: "fractions", categories: ["full", "half", "none"], series: [.init(name: "s", values: [1, 0.5, 0])],
            valueLabel: "fraction")
        let layout = try chart.layout()
        // Domain [0, 1] ticks at 0.2: the value axis spans exactly the plot area.
        #expect(layout.ticks.values == [0, 0.2, 0.4, 0.6, 0.8, 1])
        #expect(layout.valueScale(0) == layout.area.bottom && layout.valueScale(1) == layout.area.top)
        let bars = try ParsedSVG(chart.svg()).all("rect", class: "bar")
        try #require(bars.count == 3)
        let full = bars[0]
        let half = bars[1]
        #expect(try abs(full.number("y") - layout.area.top) < 0.006)
        #expect(try abs(full.number("height") - layout.area.height) < 0.011)
        #expect(try abs(half.number("y") - (layout.area.top + layout.area.height / 2)) < 0.006)
        #expect(try bars[2].number("height") == 0)
        // Bars are centred in their category bands.
        let band = layout.area.width / 3
        #expect(try abs(half.number("x") + half.number("width") / 2 - (layout.area.left + 1.5 * band)) < 0.011)
        // Tick labels sit at their values.
        let labels = try ParsedSVG(chart.svg()).all("text", class: "tick-label")
        let top = try #require(labels.first { $0.text == "1.0" })
        #expect(try abs(top.number("y") - layout.area.top) < 0.006)
    }

    @Test func hostileLabelsAreEscaped() throws {
        let hostile = "<script>alert('x')</script>&\"'"
        let chart = try BarChart(
            title: hostile, categories: [hostile, "a & b"],
            series: [.init(name: "<b>", values: [1, 2]), .init(name: "'", values: [2, 1])],
            valueLabel: "<i>", categoryLabel: "\"c\"")
        let svg = chart.svg()
        #expect(!svg.contains("<script") && !svg.contains("<b>") && !svg.contains("<i>"))
        let parsed = try ParsedSVG(svg)
        #expect(parsed.all("title").first?.text == hostile)
        #expect(parsed.all("rect", class: "bar").first?.tooltip == hostile + " (<b>): 1")
        #expect(parsed.allText.contains("a & b") && parsed.allText.contains("<i>") && parsed.allText.contains("\"c\""))
    }

    @Test func longCategoryLabelsAreRotatedAndTruncated() throws {
        let long = "a category name far too long to fit under its bar without help from rotation or truncation at all"
        let vertical = try BarChart(
            title: "long", categories: [long] + Self.features,
            series: [.init(name: "s", values: Array(repeating: 0.1, count: 8))],
            valueLabel: "v")
        let verticalLabels = try ParsedSVG(vertical.svg()).all("text", class: "category-label")
        #expect(verticalLabels.count == 8)
        #expect(verticalLabels.allSatisfy { $0.attributes["transform"]?.hasPrefix("rotate(-45 ") == true })
        #expect(verticalLabels[0].text.hasSuffix("\u{2026}") && verticalLabels[0].text.count < long.count)
        #expect(verticalLabels[0].tooltip == long)
        for label in verticalLabels {
            // The rotated label's horizontal reach stays on the canvas.
            let reach = TextMetrics.width(of: label.text, fontSize: ChartMetrics.tickFontSize) * ChartMetrics.cos45
            #expect(try label.number("x") - reach >= 0)
        }

        let horizontal = try BarChart(
            title: "long", categories: [long, "short"], series: [.init(name: "s", values: [0.3, -0.2])], orientation: .horizontal,
            valueLabel: "v")
        let layout = try horizontal.layout()
        let labels = try ParsedSVG(horizontal.svg()).all("text", class: "category-label")
        #expect(labels.map(\.text).last == "short")
        #expect(labels[0].text.hasSuffix("\u{2026}"))
        #expect(TextMetrics.width(of: labels[0].text, fontSize: layout.labelFontSize) <= ChartMetrics.maximumLabelShare * 640)
        #expect(layout.area.left >= ChartMetrics.padding && layout.area.left < 0.5 * 640)

        let fits = try BarChart(
            title: "fits", categories: ["a", "b"], series: [.init(name: "s", values: [1, 2])], valueLabel: "v")
        #expect(try ParsedSVG(fits.svg()).all("text", class: "category-label").allSatisfy { $0.attributes["transform"] == nil })
    }

    @Test func nonFiniteAndEmptyDataNeverReachTheOutput() throws {
        let nonFinite = try BarChart(
            title: "t", categories: ["a", "b", "c", "d"], series: [.init(name: "s", values: [.nan, .infinity, -.infinity, 0.4])],
            valueLabel: "v")
        let svg = nonFinite.svg()
        #expect(!containsNonFiniteText(svg))
        #expect(try ParsedSVG(svg).all("rect", class: "bar").count == 1)
        let allBad = try BarChart(title: "t", categories: ["a"], series: [.init(name: "s", values: [.nan])], valueLabel: "v")
        let empty = try BarChart(title: "t", categories: [], series: [], valueLabel: "v")
        for chart in [allBad, empty] {
            let text = chart.svg()
            #expect(!containsNonFiniteText(text))
            let parsed = try ParsedSVG(text)
            #expect(parsed.all("rect", class: "bar").isEmpty && parsed.all("text", class: "no-data").count == 1)
        }
    }

    @Test func extremeValuesGiveAFallbackDocumentNotACrash() throws {
        let chart = try BarChart(
            title: "huge", categories: ["a", "b"], series: [.init(name: "s", values: [-1.7e308, 1.7e308])], valueLabel: "v")
        let svg = chart.svg()
        let parsed = try ParsedSVG(svg)
        #expect(parsed.all("text", class: "no-data").first?.text.hasPrefix("cannot draw this chart") == true)
        #expect(!containsNonFiniteText(svg))
    }

    @Test func seriesLengthMustMatchTheCategories() {
        #expect(throws: PlotError.lengthMismatch(what: "bar series \"s\"", expected: 2, found: 1)) {
            try BarChart(title: "t", categories: ["a", "b"], series: [.init(name: "s", values: [1])], valueLabel: "v")
        }
    }
}

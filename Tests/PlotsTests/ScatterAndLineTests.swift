import Core
import Testing

@testable import Plots

@Suite struct ScatterPlotTests {
    @Test func oneCirclePerFinitePointAtItsScaledPosition() throws {
        let fidelity = [0.2, 0.5, 0.9, .nan, 0.4]
        let complexity = [1.0, 2, 3, 4, .infinity]
        let r = try #require(SampleSummary.correlation(Array(fidelity.prefix(3)), Array(complexity.prefix(3))))
        let plot = ScatterPlot(
            title: "Fidelity vs complexity", series: [try .init(name: "explanations", x: complexity, y: fidelity)],
            xLabel: "complexity", yLabel: "fidelity (R²)", annotation: "r = \(ChartText.number(r)) <n = 3>")
        let svg = plot.svg()
        #expect(!containsNonFiniteText(svg))
        let layout = try plot.layout()
        let parsed = try ParsedSVG(svg)
        let points = parsed.all("circle", class: "point")
        #expect(points.count == 3)
        for (circle, (x, y)) in zip(points, [(1.0, 0.2), (2, 0.5), (3, 0.9)]) {
            #expect(try abs(circle.number("cx") - layout.xScale(x)) < 0.006)
            #expect(try abs(circle.number("cy") - layout.yScale(y)) < 0.006)
        }
        #expect(layout.xTicks.domain.contains(1) && layout.xTicks.domain.contains(3))
        #expect(parsed.all("text", class: "annotation").first?.text == "r = \(ChartText.number(r)) <n = 3>")
        #expect(parsed.all("desc").first?.text.contains("2 non-finite points omitted") == true)
        #expect(parsed.all("circle", class: "legend-point").isEmpty)
    }

    @Test func seriesGetDistinctColoursAndALegend() throws {
        let plot = ScatterPlot(
            title: "t",
            series: [
                .init(name: "Rock", points: [PlotPoint(x: 0, y: 0)]), .init(name: "Jazz", points: [PlotPoint(x: 1, y: 1)]),
            ], xLabel: "x", yLabel: "y")
        let parsed = try ParsedSVG(plot.svg())
        #expect(Set(parsed.all("circle", class: "point").compactMap { $0.attributes["fill"] }).count == 2)
        #expect(parsed.all("text", class: "legend-label").map(\.text) == ["Rock", "Jazz"])
    }

    @Test func singlePointAndEmptyPlotsStayValid() throws {
        let single = ScatterPlot(
            title: "t", series: [.init(name: "s", points: [PlotPoint(x: 2, y: -3)])], xLabel: "x", yLabel: "y")
        let layout = try single.layout()
        #expect(layout.xTicks.domain.lowerBound < 2 && layout.xTicks.domain.upperBound > 2)
        #expect(try ParsedSVG(single.svg()).all("circle", class: "point").count == 1)
        let empty = ScatterPlot(title: "t", series: [], xLabel: "x", yLabel: "y")
        #expect(try ParsedSVG(empty.svg()).all("text", class: "no-data").count == 1)
    }

    @Test func pairedCoordinatesMustMatch() {
        #expect(throws: PlotError.lengthMismatch(what: "series \"s\" y", expected: 2, found: 1)) {
            try ScatterPlot.Series(name: "s", x: [1, 2], y: [1])
        }
    }
}

@Suite struct LineChartTests {
    @Test func onePolylinePerSeriesThroughTheScaledPoints() throws {
        let chart = try LineChart(
            title: "Error by quantile",
            series: [
                try .init(name: "Rock", x: [1, 2, 3, 4], y: [0.1, 0.2, 0.3, 0.4]),
                try .init(name: "Jazz", x: [1, 2, 3, 4], y: [0.4, 0.3, 0.2, 0.1]),
            ], xLabel: "error quantile", yLabel: "fraction of the genre's tracks", yRange: 0...1,
            reference: try .init(value: 0.25, label: "no association"))
        let layout = try chart.layout()
        #expect(layout.yTicks.domain == 0...1)
        let parsed = try ParsedSVG(chart.svg())
        let lines = parsed.all("polyline", class: "series-line")
        #expect(lines.count == 2)
        let expected = [(1.0, 0.1), (2, 0.2), (3, 0.3), (4, 0.4)].map { x, y in
            "\(PlotNumberFormat.coordinate(layout.xScale(x)) ?? ""),\(PlotNumberFormat.coordinate(layout.yScale(y)) ?? "")"
        }
        #expect(lines[0].attributes["points"] == expected.joined(separator: " "))
        #expect(lines[0].attributes["stroke"] != lines[1].attributes["stroke"])
        #expect(parsed.all("circle", class: "series-marker").count == 8)
        let reference = try #require(parsed.all("line", class: "reference-line").first)
        #expect(try abs(reference.number("y1") - layout.yScale(0.25)) < 0.006)
        #expect(parsed.all("text", class: "reference-label").first?.text == "no association")
        #expect(parsed.all("text", class: "legend-label").map(\.text) == ["Rock", "Jazz"])
    }

    @Test func nonFinitePointsBreakTheLine() throws {
        let chart = try LineChart(
            title: "t", series: [try .init(name: "s", x: [1, 2, 3, 4, 5], y: [1, 2, .nan, 4, 5])], xLabel: "x", yLabel: "y",
            showsMarkers: false)
        let svg = chart.svg()
        #expect(!containsNonFiniteText(svg))
        let parsed = try ParsedSVG(svg)
        #expect(parsed.all("polyline", class: "series-line").count == 2)
        #expect(parsed.all("circle").isEmpty)
        #expect(parsed.all("desc").first?.text.contains("1 non-finite point omitted") == true)
    }

    @Test func coloursRepeatWithAnotherDashPatternPastTheSeventhSeries() throws {
        let series = try (0..<9).map { try LineChart.Series(name: "s\($0)", x: [0, 1], y: [Double($0), Double($0) + 1]) }
        let chart = try LineChart(title: "t", series: series, xLabel: "x", yLabel: "y", showsMarkers: false)
        let lines = try ParsedSVG(chart.svg()).all("polyline", class: "series-line")
        #expect(lines.count == 9)
        #expect(lines[0].attributes["stroke"] == lines[7].attributes["stroke"])
        #expect(lines[0].attributes["stroke-dasharray"] == nil && lines[7].attributes["stroke-dasharray"] == "6,3")
        #expect(Set(lines.prefix(7).compactMap { $0.attributes["stroke"] }).count == 7)
    }

    @Test func rejectsNonFiniteConfiguration() {
        #expect(throws: PlotError.nonFiniteValue(parameter: "reference line \"r\"")) {
            try LineChart.ReferenceLine(value: .infinity, label: "r")
        }
        #expect(throws: PlotError.nonFiniteValue(parameter: "line chart y range")) {
            try LineChart(title: "t", series: [], xLabel: "x", yLabel: "y", yRange: 0...Double.infinity)
        }
    }
}

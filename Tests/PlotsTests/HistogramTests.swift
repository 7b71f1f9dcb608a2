import Core
import Testing

@testable import Plots

@Suite struct HistogramTests {
    @Test func binCountsMatchNumpy() throws {
        // numpy.histogram(…, bins=10, range=(0, 1))[0] = [2 2 0 0 0 1 0 0 0 2]: [a, b) bins, last one closed,
        // out-of-range values ignored.
        let a = try Histogram(
            title: "t", values: [0, 0.05, 0.1, 0.15, 0.5, 0.99, 1.0, -0.1, 1.1, .nan, .infinity], range: 0...1, binCount: 10,
            xLabel: "x")
        #expect(a.counts == [2, 2, 0, 0, 0, 1, 0, 0, 0, 2])
        // Edges where binary64 rounding matters: numpy.histogram([0.3, 0.6, 0.7, 0.9, 0.1, 0.2], bins=7,
        // range=(0.1, 0.8))[0] = [1 2 0 0 0 2 0] (0.3 and 0.7 fall below the computed edges 0.30000000000000004 and
        // 0.7000000000000001).
        let b = try Histogram(title: "t", values: [0.3, 0.6, 0.7, 0.9, 0.1, 0.2], range: 0.1...0.8, binCount: 7, xLabel: "x")
        #expect(b.counts == [1, 2, 0, 0, 0, 2, 0])
        // numpy.histogram([0.1, 0.2, 0.3, 0.0], bins=3, range=(0, 0.3))[0] = [1 1 2]
        let c = try Histogram(title: "t", values: [0.1, 0.2, 0.3, 0], range: 0...0.3, binCount: 3, xLabel: "x")
        #expect(c.counts == [1, 1, 2])
        #expect(c.edge(0) == 0 && c.edge(3) == 0.3)
    }

    @Test func oneRectanglePerBinWithHeightsFromTheCounts() throws {
        let histogram = try Histogram(
            title: "fidelity", values: [0.05, 0.15, 0.15, 0.25, 0.25, 0.25, 0.95], range: 0...1, binCount: 10, xLabel: "R²")
        let layout = try histogram.layout()
        #expect(layout.yTicks.values == [0, 1, 2, 3])
        let parsed = try ParsedSVG(histogram.svg())
        let bins = parsed.all("rect", class: "bin")
        #expect(bins.count == 10)
        for (index, bin) in bins.enumerated() {
            let count = Double(histogram.counts[index])
            #expect(try abs(bin.number("height") - count / 3 * layout.area.height) < 0.011)
            #expect(try abs(bin.number("y") + bin.number("height") - layout.area.bottom) < 0.011)
            #expect(try abs(bin.number("x") - (layout.area.left + Double(index) / 10 * layout.area.width)) < 0.006)
        }
        #expect(bins[2].tooltip == "0.2 to 0.3: 3")
        #expect(parsed.all("rect", class: "band").isEmpty && parsed.all("line", class: "marker").isEmpty)
        #expect(parsed.all("rect", class: "legend-swatch").isEmpty)
    }

    @Test func bandSpansMeanPlusMinusStandardDeviation() throws {
        let baseline = try #require(SampleSummary([0.2, 0.4, 0.6]))
        let band = try Histogram.Band.meanPlusMinusStandardDeviation(of: baseline, label: "random baseline (mean ± std)")
        #expect(
            band.lower == baseline.mean - baseline.standardDeviation && band.upper == baseline.mean + baseline.standardDeviation)
        let marker = try Histogram.Marker(value: 0.7, label: "mean fidelity")
        let histogram = try Histogram(
            title: "fidelity", values: [0.5, 0.7, 0.9], range: 0...1, binCount: 5, sampleLabel: "explanations", band: band,
            marker: marker, xLabel: "fidelity")
        let layout = try histogram.layout()
        let parsed = try ParsedSVG(histogram.svg())
        let rect = try #require(parsed.all("rect", class: "band").first)
        let left = layout.area.left + (0.4 - baseline.standardDeviation) * layout.area.width
        let right = layout.area.left + (0.4 + baseline.standardDeviation) * layout.area.width
        #expect(try abs(rect.number("x") - left) < 0.006)
        #expect(try abs(rect.number("x") + rect.number("width") - right) < 0.011)
        #expect(try rect.number("y") == layout.area.top && abs(rect.number("height") - layout.area.height) < 0.006)
        let line = try #require(parsed.all("line", class: "marker").first)
        #expect(try abs(line.number("x1") - (layout.area.left + 0.7 * layout.area.width)) < 0.006)
        #expect(
            parsed.all("text", class: "legend-label").map(\.text) == [
                "explanations", "random baseline (mean ± std)", "mean fidelity",
            ])
        // The band is drawn before (under) the bins.
        let order = parsed.elements.compactMap(\.className)
        #expect(try #require(order.firstIndex(of: "band")) < #require(order.firstIndex(of: "bin")))
    }

    @Test func bandIsClippedAndAnOutsideMarkerIsLeftOut() throws {
        let histogram = try Histogram(
            title: "t", values: [0.5], range: 0...1, binCount: 4, band: try .init(lower: -0.5, upper: 0.25, label: "b"),
            marker: try .init(value: 1.5, label: "m"), xLabel: "x")
        let layout = try histogram.layout()
        let parsed = try ParsedSVG(histogram.svg())
        let rect = try #require(parsed.all("rect", class: "band").first)
        #expect(try abs(rect.number("x") - layout.area.left) < 0.006)
        #expect(try abs(rect.number("width") - 0.25 * layout.area.width) < 0.011)
        #expect(parsed.all("line", class: "marker").isEmpty)
    }

    @Test func nonFiniteValuesNeverReachTheOutput() throws {
        let histogram = try Histogram(title: "t", values: [.nan, .infinity, -.infinity], range: 0...1, binCount: 3, xLabel: "x")
        let svg = histogram.svg()
        #expect(!containsNonFiniteText(svg))
        let parsed = try ParsedSVG(svg)
        #expect(parsed.all("rect", class: "bin").count == 3)
        #expect(parsed.all("desc").first?.text.contains("3 non-finite values omitted") == true)
        #expect(parsed.all("text", class: "no-data").first?.text == "no values in range")
    }

    @Test func rejectsInvalidConfiguration() {
        #expect(throws: PlotError.emptyRange(parameter: "histogram range", lower: 1, upper: 1)) {
            try Histogram(title: "t", values: [], range: 1...1, binCount: 3, xLabel: "x")
        }
        #expect(throws: PlotError.nonFiniteValue(parameter: "histogram range")) {
            try Histogram(title: "t", values: [], range: 0...Double.infinity, binCount: 3, xLabel: "x")
        }
        #expect(throws: PlotError.invalidCount(parameter: "bin count", count: 0, allowed: 1...1000)) {
            try Histogram(title: "t", values: [], range: 0...1, binCount: 0, xLabel: "x")
        }
        #expect(throws: PlotError.emptyRange(parameter: "band \"b\"", lower: 2, upper: 1)) {
            try Histogram.Band(lower: 2, upper: 1, label: "b")
        }
        #expect(throws: PlotError.nonFiniteValue(parameter: "marker \"m\"")) { try Histogram.Marker(value: .nan, label: "m") }
    }
}

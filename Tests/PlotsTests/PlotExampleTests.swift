import Core
import Foundation
import Testing

@testable import Plots

/// Realistic example figures, one per chart type. They are checked like the other charts; with
/// `STEMTRACE_PLOT_EXAMPLES=DIR` in the environment they are also written to DIR/plots-example-*.svg for a look.
@Suite struct PlotExampleTests {
    static func examples() throws -> [(name: String, svg: String)] {
        var random = SplitMix64(state: 42)
        let features = [
            "melodiousness", "articulation", "rhythm complexity", "rhythm stability", "dissonance", "tonal stability",
            "minorness",
        ]
        let effects = try BarChart(
            title: "Mean relative effect of each mid-level feature on valence",
            categories: features,
            series: [
                .init(name: "Electronic", values: [0.21, -0.08, 0.12, 0.31, -0.17, 0.05, -0.26]),
                .init(name: "all other genres", values: [0.14, 0.02, -0.04, 0.18, -0.22, 0.09, -0.35]),
            ], orientation: .horizontal, valueLabel: "mean relative effect on valence")

        let sources = try BarChart(
            title: "Mean LIME weight per source (Bandsplit, 10 segments)",
            categories: ["vocals", "drums", "bass", "other (guitars, keys, pads and everything else)"],
            series: [
                .init(name: "valence", values: [0.084, 0.031, -0.012, 0.047]),
                .init(name: "arousal", values: [0.022, 0.118, 0.064, -0.009]),
            ], valueLabel: "mean LIME weight", categoryLabel: "source")

        let fidelity = (0..<400).map { _ in min(max(0.62 + 0.14 * random.normal(), 0), 1) }
        let baseline = try #require(SampleSummary((0..<400).map { _ in min(max(0.35 + 0.1 * random.normal(), 0), 1) }))
        let sample = try #require(SampleSummary(fidelity))
        let histogram = try Histogram(
            title: "Fidelity of 400 explanations against the random-complexity baseline", values: fidelity, range: 0...1,
            binCount: 20, sampleLabel: "explanations",
            band: try .meanPlusMinusStandardDeviation(of: baseline, label: "random baseline, mean ± std"),
            marker: try .init(value: sample.mean, label: "mean fidelity"), xLabel: "fidelity (weighted R²)",
            yLabel: "explanations")

        let complexity = (0..<400).map { _ in 1 + 8 * random.uniform() }
        let fidelityByComplexity = complexity.map { min(max(0.45 + 0.035 * $0 + 0.1 * random.normal(), 0), 1) }
        let half = 200
        let r = try #require(SampleSummary.correlation(complexity, fidelityByComplexity))
        let scatter = ScatterPlot(
            title: "Fidelity vs complexity",
            series: [
                try .init(name: "RF-ResNet", x: Array(complexity[..<half]), y: Array(fidelityByComplexity[..<half])),
                try .init(name: "musicnn", x: Array(complexity[half...]), y: Array(fidelityByComplexity[half...])),
            ], xLabel: "complexity (effective number of components)", yLabel: "fidelity (weighted R²)",
            annotation: "r = \(ChartText.number((r * 100).rounded() / 100)) (n = 400)")

        let quantiles = (1...10).map(Double.init)
        let shape: [(String, (Double) -> Double)] = [
            ("Classical", { 0.1 + 0.012 * ($0 - 5.5) }), ("Electronic", { 0.1 - 0.009 * ($0 - 5.5) }),
            ("Hip-Hop", { 0.1 + 0.002 * ($0 - 5.5) * ($0 - 5.5) - 0.016 }),
        ]
        let curves = try LineChart(
            title: "Fraction of each genre's tracks per error quantile",
            series: try shape.map { name, f in try .init(name: name, x: quantiles, y: quantiles.map(f)) },
            xLabel: "error quantile (1 = smallest error)", yLabel: "fraction of the genre's tracks", yRange: 0...0.2,
            reference: try .init(value: 0.1, label: "no association (1/10)"))

        return [
            ("bar", effects.svg()), ("bar-vertical", sources.svg()), ("histogram", histogram.svg()), ("scatter", scatter.svg()),
            ("line", curves.svg()),
        ]
    }

    @Test func examplesAreWellFormedAndOptionallyWritten() throws {
        let examples = try Self.examples()
        for example in examples {
            _ = try ParsedSVG(example.svg)
            #expect(!containsNonFiniteText(example.svg), "\(example.name)")
        }
        guard let directory = ProcessInfo.processInfo.environment["STEMTRACE_PLOT_EXAMPLES"] else { return }
        for example in examples {
            let url = URL(fileURLWithPath: directory).appendingPathComponent("plots-example-\(example.name).svg")
            try Data(example.svg.utf8).write(to: url)
        }
    }
}

import Foundation
import Testing

@testable import Plots

@Suite struct LinearScaleTests {
    @Test func mapsKnownValuesToKnownPixels() throws {
        let x = try LinearScale(domain: 0...1, rangeStart: 100, rangeEnd: 300)
        #expect(x(0) == 100 && x(0.25) == 150 && x(1) == 300 && x(1.5) == 400)
        // A y axis runs backwards: larger values higher up (smaller pixel y).
        let y = try LinearScale(domain: 0...1, rangeStart: 360, rangeEnd: 40)
        #expect(y(0) == 360 && y(0.5) == 200 && y(1) == 40)
        let signed = try LinearScale(domain: -0.5...1.5, rangeStart: 0, rangeEnd: 400)
        #expect(signed(0) == 100 && signed(-0.5) == 0 && signed(1) == 300)
        #expect(signed.clamped(-3) == 0 && signed.clamped(9) == 400)
    }

    @Test func zeroWidthDomainMapsToTheMiddle() throws {
        let scale = try LinearScale(domain: 3...3, rangeStart: 10, rangeEnd: 30)
        #expect(scale(3) == 20 && scale(-1) == 20)
        #expect(!scale(.nan).isFinite)
    }

    @Test func rejectsNonFiniteBounds() {
        #expect(throws: PlotError.nonFiniteValue(parameter: "scale domain")) {
            try LinearScale(domain: 0...Double.infinity, rangeStart: 0, rangeEnd: 1)
        }
        #expect(throws: PlotError.nonFiniteValue(parameter: "scale range")) {
            try LinearScale(domain: 0...1, rangeStart: .nan, rangeEnd: 1)
        }
    }
}

@Suite struct NiceTicksTests {
    @Test func unitInterval() throws {
        let ticks = try NiceTicks(covering: 0, 1)
        #expect(ticks.values == [0, 0.2, 0.4, 0.6, 0.8, 1])
        #expect(ticks.step == 0.2 && ticks.decimals == 1 && ticks.domain == 0...1)
        #expect(ticks.values.map(ticks.label) == ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
    }

    @Test func signedInterval() throws {
        let ticks = try NiceTicks(covering: -0.37, 0.81)
        #expect(ticks.values == [-0.4, -0.2, 0, 0.2, 0.4, 0.6, 0.8, 1])
        #expect(ticks.values.map(ticks.label) == ["-0.4", "-0.2", "0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        // Order of the bounds does not matter.
        #expect(try NiceTicks(covering: 0.81, -0.37) == ticks)
    }

    @Test func otherDomains() throws {
        #expect(try NiceTicks(covering: 0, 1234).values == [0, 200, 400, 600, 800, 1000, 1200, 1400])
        #expect(try NiceTicks(covering: -3.2, -0.4).values == [-3.5, -3, -2.5, -2, -1.5, -1, -0.5, 0])
        #expect(try NiceTicks(covering: 0.001, 0.0042).values == [0.001, 0.0015, 0.002, 0.0025, 0.003, 0.0035, 0.004, 0.0045])
        #expect(try NiceTicks(covering: 0, 10, targetCount: 2).values == [0, 5, 10])
        #expect(try NiceTicks(covering: 0, 3, integral: true).values == [0, 1, 2, 3])
    }

    @Test func singleValueIsWidened() throws {
        let half = try NiceTicks(covering: 0.5, 0.5)
        #expect(half.values.contains(0.5) && half.domain.lowerBound < 0.5 && half.domain.upperBound > 0.5)
        #expect(half.step == 0.02)
        #expect(try NiceTicks(covering: 0, 0).values == [-1, -0.5, 0, 0.5, 1])
        let negative = try NiceTicks(covering: -250, -250)
        #expect(negative.domain.lowerBound < -250 && negative.domain.upperBound > -250)
        #expect(try NiceTicks(covering: 4, 4, integral: true).values == [3, 4, 5])
    }

    @Test func ticksAreNiceAndCoverManyDomains() throws {
        var random = SplitMix64(state: 7)
        for _ in 0..<2000 {
            let magnitude = pow(10, Double(Int(random.uniform() * 16) - 8))
            let a = (random.uniform() * 2 - 1) * magnitude
            let b = random.uniform() < 0.1 ? a : (random.uniform() * 2 - 1) * magnitude
            let target = 2 + Int(random.uniform() * 9)
            let ticks = try NiceTicks(covering: a, b, targetCount: target)
            #expect(ticks.values.first! <= min(a, b) && ticks.values.last! >= max(a, b), "\(a) \(b) → \(ticks.values)")
            #expect(ticks.values.count >= 2 && ticks.values.count <= 2 * target + 3, "\(a) \(b) target \(target)")
            let exponent = (log10(ticks.step)).rounded(.down)
            let leading = (ticks.step / pow(10, exponent) * 1e6).rounded() / 1e6
            #expect([1, 2, 5].contains(leading), "step \(ticks.step)")
            for (earlier, later) in zip(ticks.values, ticks.values.dropFirst()) {
                #expect(abs((later - earlier) - ticks.step) <= 1e-9 * max(ticks.step, abs(later)))
            }
            #expect(ticks.values.allSatisfy { PlotNumberFormat.fixed($0, decimals: ticks.decimals) != nil })
        }
    }

    @Test func rejectsWhatCannotBeTicked() {
        #expect(throws: PlotError.nonFiniteValue(parameter: "tick interval bound")) { try NiceTicks(covering: .nan, 1) }
        #expect(throws: PlotError.nonFiniteValue(parameter: "tick interval bound")) { try NiceTicks(covering: 0, -.infinity) }
        #expect(throws: PlotError.unrepresentableDomain(lower: -1.7e308, upper: 1.7e308)) {
            try NiceTicks(covering: -1.7e308, 1.7e308)
        }
        #expect(throws: PlotError.self) { try NiceTicks(covering: 1e17, 1e17 + 32) }
        #expect(throws: PlotError.invalidCount(parameter: "tick target count", count: 0, allowed: 1...100)) {
            try NiceTicks(covering: 0, 1, targetCount: 0)
        }
    }
}

import Foundation
import Testing

@testable import Separation

/// SI-SDR and SDR on signals whose answers are known in closed form.
@Suite struct SeparationMetricsTests {
    /// A reference that is constant over pairs of samples, and a noise that alternates in sign
    /// inside each pair: exactly orthogonal to the reference whatever the values.
    static let count = 4000
    static let reference: [Float] = (0..<count).map { Float(0.5 * sin(Double($0 / 2) * 0.05) + 0.1) }
    static var referenceEnergy: Double { reference.reduce(0) { $0 + Double($1) * Double($1) } }

    /// Noise of energy referenceEnergy / 10^(snr/10), orthogonal to the reference.
    static func noise(snr: Double) -> [Float] {
        let amplitude = (referenceEnergy / pow(10, snr / 10) / Double(count)).squareRoot()
        return (0..<count).map { Float($0 % 2 == 0 ? amplitude : -amplitude) }
    }

    @Test func perfectEstimateScoresTheLimitNotInfinityOrNaN() throws {
        let si = try #require(SeparationMetrics.siSDR(estimate: Self.reference, reference: Self.reference))
        let sdr = try #require(SeparationMetrics.sdr(estimate: Self.reference, reference: Self.reference))
        #expect(si == SeparationMetrics.limit && sdr == SeparationMetrics.limit)
        #expect(si.isFinite && !si.isNaN)
    }

    @Test(arguments: [20.0, 10.0, 3.0, 0.0, -6.0])
    func orthogonalNoiseOfKnownEnergyGivesExactDecibels(snr: Double) throws {
        let noise = Self.noise(snr: snr)
        // The float32 noise amplitude is rounded, so compute the exact ratio from the float values.
        let noiseEnergy = noise.reduce(0) { $0 + Double($1) * Double($1) }
        let expected = 10 * log10(Self.referenceEnergy / noiseEnergy)
        #expect(abs(expected - snr) < 1e-5)
        let estimate = zip(Self.reference, noise).map { $0 + $1 }
        // Float32 addition rounds the estimate a little: allow for it, but nothing more.
        let si = try #require(SeparationMetrics.siSDR(estimate: estimate, reference: Self.reference))
        let sdr = try #require(SeparationMetrics.sdr(estimate: estimate, reference: Self.reference))
        #expect(abs(si - expected) < 1e-4, "SI-SDR \(si) vs \(expected)")
        #expect(abs(sdr - expected) < 1e-4, "SDR \(sdr) vs \(expected)")
    }

    @Test func scalingTheEstimateLeavesSISDRButChangesSDR() throws {
        let noise = Self.noise(snr: 10)
        let estimate = zip(Self.reference, noise).map { $0 + $1 }
        let halved = estimate.map { $0 * 0.5 }  // exact in float32
        let si = try #require(SeparationMetrics.siSDR(estimate: estimate, reference: Self.reference))
        let siHalved = try #require(SeparationMetrics.siSDR(estimate: halved, reference: Self.reference))
        #expect(abs(si - siHalved) < 1e-9)
        // s − ½(s + n) = ½(s − n), |·|² = ¼(|s|² + |n|²) = ¼·1.1·|s|²  →  SDR = 10·log10(1 / 0.275).
        let sdrHalved = try #require(SeparationMetrics.sdr(estimate: halved, reference: Self.reference))
        #expect(abs(sdrHalved - 10 * log10(1 / 0.275)) < 1e-3, "\(sdrHalved)")
        let sdr = try #require(SeparationMetrics.sdr(estimate: estimate, reference: Self.reference))
        #expect(sdr - sdrHalved > 4)
        // A pure scaling is a perfect SI-SDR estimate but a poor SDR one: 20·log10(1 / (1 − 2)) = 0 dB.
        let doubled = Self.reference.map { $0 * 2 }
        #expect(SeparationMetrics.siSDR(estimate: doubled, reference: Self.reference) == SeparationMetrics.limit)
        #expect(abs((SeparationMetrics.sdr(estimate: doubled, reference: Self.reference) ?? .nan) - 0) < 1e-9)
    }

    @Test func allZeroReferenceIsUndefined() {
        let zero = [Float](repeating: 0, count: Self.count)
        #expect(SeparationMetrics.siSDR(estimate: Self.reference, reference: zero) == nil)
        #expect(SeparationMetrics.sdr(estimate: Self.reference, reference: zero) == nil)
        #expect(SeparationMetrics.sdr(estimate: zero, reference: zero) == nil)
    }

    @Test func silentEstimateAndMismatchedLengthsAreHandledWithoutNaN() {
        let zero = [Float](repeating: 0, count: Self.count)
        // α = 0: no target component at all → the floor; SDR of silence is 0 dB (error = reference).
        #expect(SeparationMetrics.siSDR(estimate: zero, reference: Self.reference) == -SeparationMetrics.limit)
        #expect(SeparationMetrics.sdr(estimate: zero, reference: Self.reference) == 0)
        #expect(SeparationMetrics.siSDR(estimate: Array(Self.reference.dropLast()), reference: Self.reference) == nil)
        #expect(SeparationMetrics.sdr(estimate: Self.reference, reference: Array(Self.reference.dropLast())) == nil)
    }
}

import Core
import DSP

/// The paper's random baseline for explanation complexity (docs/EXPLAIN.md, which follows audioLIME: step 7): the mean and
/// standard deviation (ddof 0) of `ExplanationComplexity.entropy` over `draws` weight vectors with
/// entries from U[0, 1]. stemtrace draws from its own seeded SplitMix64 stream (the reference's
/// numpy MT19937 draws are not reproduced), so only the statistics are comparable, within sampling
/// error (for 1000 draws, 5·σ/√1000 for the mean and 5·σ/√(2·999) for σ).
public struct ComplexityBaseline: Sendable, Equatable {
    public let componentCount: Int
    public let draws: Int
    /// The seed of the weight draws, or nil when the entropies came from elsewhere.
    public let seed: UInt64?
    public let mean: Double
    /// Population standard deviation (numpy's `std` with ddof = 0).
    public let standardDeviation: Double

    /// Summarises given entropies: mean and population standard deviation, two-pass as numpy computes them.
    public init(componentCount: Int, seed: UInt64?, entropies: [Double]) {
        precondition(!entropies.isEmpty, "a complexity baseline needs at least one entropy")
        var sum = 0.0
        for h in entropies { sum += h }
        let mean = sum / Double(entropies.count)
        var squares = 0.0
        for h in entropies { squares += (h - mean) * (h - mean) }
        self.componentCount = componentCount
        self.draws = entropies.count
        self.seed = seed
        self.mean = mean
        self.standardDeviation = (squares / Double(entropies.count)).squareRoot()
    }

    /// The entropies of `draws` seeded U[0, 1]^componentCount weight vectors, drawn row by row.
    public static func entropies(componentCount d: Int, draws: Int, seed: UInt64) -> [Double] {
        precondition(d >= 1 && draws >= 1, "a complexity baseline needs at least one component and one draw")
        var generator = SplitMix64(seed: seed)
        var weights = [Double](repeating: 0, count: d)
        return (0..<draws).map { _ in
            for i in 0..<d { weights[i] = generator.nextUnitInterval() }
            return ExplanationComplexity.entropy(of: weights)
        }
    }

    /// Mean and standard deviation of the entropy over `draws` seeded random weight vectors.
    public static func compute(componentCount: Int, draws: Int = 1000, seed: UInt64) -> ComplexityBaseline {
        ComplexityBaseline(
            componentCount: componentCount, seed: seed,
            entropies: entropies(componentCount: componentCount, draws: draws, seed: seed))
    }
}

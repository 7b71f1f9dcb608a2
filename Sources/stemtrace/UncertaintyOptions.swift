import Analysis
import ArgumentParser

/// Bootstrap intervals and permutation tests of per-genre figures (queries, evaluate, export,
/// report; docs/ANALYSIS.md, "Uncertainty").
struct UncertaintyOptions: ParsableArguments {
    @Option(help: "Bootstrap resamples of tracks for the per-genre intervals (0: no intervals).")
    var bootstrap: Int = 1000

    @Option(help: "Coverage of the intervals, between 0 and 1.")
    var ciLevel: Double = 0.95

    @Option(help: "Random permutations for genre-versus-rest p-values when exact enumeration needs more (0: no tests).")
    var permutations: Int = 2000

    @Option(help: "Seed of the resamples and permutations (recorded in the tables' notes).")
    var seed: UInt64 = 0

    func validate() throws {
        guard bootstrap >= 0, bootstrap <= 1_000_000 else { throw ValidationError("--bootstrap must be 0…1000000") }
        guard ciLevel > 0, ciLevel < 1 else { throw ValidationError("--ci-level must be between 0 and 1, e.g. 0.95") }
        guard permutations >= 0, permutations <= 10_000_000 else { throw ValidationError("--permutations must be 0…10000000") }
    }

    var settings: UncertaintySettings {
        UncertaintySettings(resamples: bootstrap, level: ciLevel, permutations: permutations, seed: seed)
    }
}

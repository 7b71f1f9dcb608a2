import Core
import Foundation

/// Seeded data for the ridge training tests: SplitMix64 uniforms and Box–Muller normals.
struct RidgeTrainingRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in (0, 1).
    mutating func uniform() -> Double { (Double(next() >> 11) + 0.5) / 9_007_199_254_740_992 }

    mutating func normal() -> Double {
        (-2 * log(uniform())).squareRoot() * cos(2 * Double.pi * uniform())
    }
}

/// A known linear problem Y = X Wᵀ + b + noise: X is n × d with column j centred at j − 3 and scaled
/// by 10^(j mod 5 − 2) (so standardisation has work to do); W is targets × features (as the fitted
/// model's `weights`), entries N(0, 1); b = 3, −2, 1, …
struct LinearProblem {
    let rowCount: Int
    let featureCount: Int
    let targetCount: Int
    let features: [Double]
    let targets: [Double]
    /// The spread of each feature column.
    let featureScales: [Double]
    let weights: [Double]
    let bias: [Double]

    init(rows n: Int = 200, features d: Int = 10, targets t: Int = 2, noise: Double, seed: UInt64) {
        var random = RidgeTrainingRandom(seed: seed)
        let scales = (0..<d).map { pow(10, Double($0 % 5 - 2)) }
        var x = [Double](repeating: 0, count: n * d)
        for i in 0..<n { for j in 0..<d { x[i * d + j] = Double(j) - 3 + scales[j] * random.normal() } }
        let w = (0..<(t * d)).map { _ in random.normal() }
        let b = (0..<t).map { k in [3.0, -2.0, 1.0][k % 3] }
        var y = [Double](repeating: 0, count: n * t)
        for i in 0..<n {
            for k in 0..<t {
                var sum = b[k]
                for j in 0..<d { sum += w[k * d + j] * x[i * d + j] }
                y[i * t + k] = sum + noise * random.normal()
            }
        }
        rowCount = n
        featureCount = d
        targetCount = t
        features = x
        featureScales = scales
        targets = y
        weights = w
        bias = b
    }

    /// Column means of the targets.
    var targetMeans: [Double] {
        (0..<targetCount).map { k in
            (0..<rowCount).map { targets[$0 * targetCount + k] }.reduce(0, +) / Double(rowCount)
        }
    }
}

/// The largest absolute difference between two equally long arrays.
func maxAbsDifference(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count, "\(a.count) vs \(b.count) values")
    return zip(a, b).map { abs($0 - $1) }.max() ?? 0
}

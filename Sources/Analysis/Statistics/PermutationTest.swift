import Core

/// A two-sided permutation test of the difference of two groups' means (a genre's tracks against
/// all other tracks): the share of relabellings, keeping the group sizes, whose |mean difference|
/// is at least the observed one. Exact — every split enumerated, the observed one included —
/// when there are at most `permutations` splits; otherwise `permutations` random splits and the
/// add-one estimate (1 + hits)/(1 + permutations) of Phipson & Smyth (2010), never 0.
public enum PermutationTest {
    /// nil when a group is empty (a genre holding every track has no rest to differ from).
    public static func pValue(_ a: [Double], _ b: [Double], permutations: Int, seed: UInt64, stream: String) -> Double? {
        guard !a.isEmpty, !b.isEmpty, permutations > 0 else { return nil }
        let pooled = a + b
        let total = pooled.reduce(0, +)
        let k = a.count
        let n = pooled.count
        let observed = abs(difference(sumA: a.reduce(0, +), total: total, k: k, n: n))
        // Differences equal up to rounding count as equal (sums in another order).
        let tolerance = 1e-12 * max(1, pooled.map(abs).max() ?? 1)
        if let splits = combinations(n, k), splits <= permutations {
            var hits = 0
            var count = 0
            forEachSubset(n: n, k: k) { subset in
                let sum = subset.reduce(0.0) { $0 + pooled[$1] }
                if abs(difference(sumA: sum, total: total, k: k, n: n)) >= observed - tolerance { hits += 1 }
                count += 1
            }
            return Double(hits) / Double(count)
        }
        var rng = SplitMix64(seed: seed ^ Bootstrap.streamKey(stream))
        var indices = Array(0..<n)
        var hits = 0
        for _ in 0..<permutations {
            // The first k of a partial Fisher–Yates shuffle are a uniform random subset.
            for i in 0..<k {
                let j = i + rng.index(below: n - i)
                indices.swapAt(i, j)
            }
            var sum = 0.0
            for i in 0..<k { sum += pooled[indices[i]] }
            if abs(difference(sumA: sum, total: total, k: k, n: n)) >= observed - tolerance { hits += 1 }
        }
        return Double(1 + hits) / Double(1 + permutations)
    }

    static func difference(sumA: Double, total: Double, k: Int, n: Int) -> Double {
        sumA / Double(k) - (total - sumA) / Double(n - k)
    }

    /// C(n, k), or nil when it exceeds Int.
    static func combinations(_ n: Int, _ k: Int) -> Int? {
        let k = min(k, n - k)
        var result = 1
        for i in 0..<k {
            let (product, overflow) = result.multipliedReportingOverflow(by: n - i)
            guard !overflow else { return nil }
            result = product / (i + 1)
        }
        return result
    }

    /// Calls `body` with every k-subset of 0..<n, in lexicographic order.
    static func forEachSubset(n: Int, k: Int, _ body: ([Int]) -> Void) {
        var subset = Array(0..<k)
        while true {
            body(subset)
            var i = k - 1
            while i >= 0, subset[i] == n - k + i { i -= 1 }
            guard i >= 0 else { return }
            subset[i] += 1
            for j in (i + 1)..<k { subset[j] = subset[j - 1] + 1 }
        }
    }
}

/// Benjamini–Hochberg q-values (false discovery rate) over one table's p-values: q_(i) =
/// min over j ≥ i of m/j · p_(j), capped at 1, with p sorted ascending and m the number of
/// p-values present (as scipy.stats.false_discovery_control). Missing p-values stay missing.
public enum BenjaminiHochberg {
    public static func qValues(_ p: [Double?]) -> [Double?] {
        let present = p.enumerated().compactMap { i, v in v.map { (i, $0) } }.sorted { $0.1 < $1.1 }
        let m = Double(present.count)
        var q = [Double?](repeating: nil, count: p.count)
        var running = 1.0
        for (rank, (index, value)) in present.enumerated().reversed() {
            running = min(running, value * m / Double(rank + 1))
            q[index] = running
        }
        return q
    }
}

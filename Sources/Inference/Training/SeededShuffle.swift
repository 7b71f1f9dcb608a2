/// SplitMix64 (Steele, Lea & Flood 2014) and a Fisher–Yates shuffle drawn from it, written out
/// here rather than using `shuffle(using:)` so fold assignments stay identical for a seed across
/// Swift releases.
struct SeededShuffle {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A draw in 0..<bound (the high word of a 64 × 64-bit product; bias below 2⁻⁴⁰ for any bound here).
    mutating func index(below bound: Int) -> Int {
        Int(next().multipliedFullWidth(by: UInt64(bound)).high)
    }

    /// The elements in a seeded random order.
    mutating func shuffled<Element>(_ elements: [Element]) -> [Element] {
        var out = elements
        var i = out.count - 1
        while i > 0 {
            out.swapAt(i, index(below: i + 1))
            i -= 1
        }
        return out
    }
}

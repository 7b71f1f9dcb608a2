import Core
import DSP

/// A Fisher–Yates shuffle drawn from `SplitMix64`, written out rather than using
/// `shuffle(using:)` so fold assignments stay identical for a seed across Swift releases.
struct SeededShuffle {
    private var generator: SplitMix64

    init(seed: UInt64) { generator = SplitMix64(seed: seed) }

    mutating func next() -> UInt64 { generator.next() }

    /// A draw in 0..<bound.
    mutating func index(below bound: Int) -> Int { generator.index(below: bound) }

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

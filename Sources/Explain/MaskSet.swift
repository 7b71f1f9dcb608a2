import Core
import DSP

/// The perturbation matrix Z of audioLIME (docs/EXPLAIN.md, which follows audioLIME: step 1): `rowCount` masks over
/// `componentCount` components, row-major, 1 = the component is kept. Row 0 is always all ones.
public struct MaskSet: Sendable, Equatable {
    public let componentCount: Int
    public let rowCount: Int
    /// Row-major 0/1 values: `bits[row * componentCount + component]`.
    public let bits: [UInt8]

    public init(componentCount: Int, rowCount: Int, bits: [UInt8]) {
        precondition(bits.count == componentCount * rowCount, "bits do not fill \(rowCount) × \(componentCount)")
        self.componentCount = componentCount
        self.rowCount = rowCount
        self.bits = bits
    }

    @inlinable public subscript(row: Int, component: Int) -> Bool { bits[row * componentCount + component] != 0 }

    /// The components kept by one row, as a bit set (component 0 is bit 0; k ≤ 64).
    public func bitPattern(ofRow row: Int) -> UInt64 {
        var pattern: UInt64 = 0
        for c in 0..<componentCount where self[row, c] { pattern |= 1 << UInt64(c) }
        return pattern
    }

    /// Every mask, in `itertools.product([1, 0], repeat=k)` order: row r is the k-bit binary form
    /// of 2^k − 1 − r with component 0 as the most significant bit (row 0 all ones, last row all zeros).
    public static func exhaustive(componentCount k: Int) -> MaskSet {
        precondition(k >= 1 && k <= 30, "exhaustive masks need 1...30 components")
        let rows = 1 << k
        var bits = [UInt8](repeating: 0, count: rows * k)
        for r in 0..<rows {
            let value = rows - 1 - r
            for c in 0..<k { bits[r * k + c] = UInt8((value >> (k - 1 - c)) & 1) }
        }
        return MaskSet(componentCount: k, rowCount: rows, bits: bits)
    }

    /// `rowCount` random masks (each entry 0 or 1 with probability ½ from a seeded SplitMix64
    /// stream, row by row), then row 0 set to all ones, as audioLIME's sampled mode. The stream
    /// is stemtrace's own (the reference's MT19937 draws are not reproduced); duplicate and
    /// all-zero rows can occur, as in the reference.
    public static func sampled(componentCount k: Int, rowCount: Int, seed: UInt64) -> MaskSet {
        precondition(k >= 1 && rowCount >= 1, "sampled masks need at least one component and one row")
        var generator = SplitMix64(seed: seed)
        var bits = [UInt8](repeating: 0, count: rowCount * k)
        for i in 0..<bits.count { bits[i] = UInt8(generator.next() >> 63) }
        for c in 0..<k { bits[c] = 1 }
        return MaskSet(componentCount: k, rowCount: rowCount, bits: bits)
    }

    /// Whether `forExplanation` enumerates every mask: 2^k ≤ `exhaustiveLimit`.
    public static func isExhaustive(componentCount k: Int, exhaustiveLimit: Int) -> Bool {
        k < 31 && (1 << k) <= exhaustiveLimit
    }

    /// audioLIME's choice: exhaustive when 2^k ≤ `exhaustiveLimit`, otherwise `samples` seeded rows.
    public static func forExplanation(componentCount k: Int, exhaustiveLimit: Int = 1 << 10, samples: Int, seed: UInt64)
        -> MaskSet
    {
        if isExhaustive(componentCount: k, exhaustiveLimit: exhaustiveLimit) { return exhaustive(componentCount: k) }
        return sampled(componentCount: k, rowCount: samples, seed: seed)
    }
}

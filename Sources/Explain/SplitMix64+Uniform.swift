extension SplitMix64 {
    /// A uniform double in [0, 1): the top 53 bits of the next output scaled by 2⁻⁵³.
    mutating func nextUnitInterval() -> Double {
        Double(next() >> 11) * 0x1p-53
    }
}

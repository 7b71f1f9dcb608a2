import Foundation

/// audioLIME's proximity of each perturbation to the explained instance (docs/EXPLAIN.md, after audioLIME,
/// steps 3 and 4): the cosine distance of every mask row to row 0, computed as
/// `sklearn.metrics.pairwise_distances(Z, Z[0:1], metric='cosine')` does it, and the kernel
/// weight `sqrt(exp(-d² / 0.25²))`. The weights are deliberately not normalised.
public enum LimeKernel {
    /// audioLIME's default `kernel_width`.
    public static let width = 0.25

    /// Cosine distance of every row to row 0, in float64: rows are divided by their Euclidean
    /// norm (a zero row stays zero, so its distance is 1.0), the distance is 1 minus the dot
    /// product with normalised row 0, clipped to [0, 2].
    public static func cosineDistances(_ masks: MaskSet) -> [Double] {
        let k = masks.componentCount
        let normalised = (0..<masks.rowCount).map { row -> [Double] in
            let values = (0..<k).map { Double(masks.bits[row * k + $0]) }
            var squares = 0.0
            for v in values { squares += v * v }
            let norm = squares == 0 ? 1 : squares.squareRoot()
            return values.map { $0 / norm }
        }
        guard let reference = normalised.first else { return [] }
        return normalised.map { row in
            var dot = 0.0
            for c in 0..<k { dot += row[c] * reference[c] }
            return min(max(-dot + 1, 0), 2)
        }
    }

    /// `sqrt(exp(-d² / width²))` for one distance (equal to exp(−8 d²) for the default width).
    public static func weight(distance d: Double, width: Double = width) -> Double {
        exp(-(d * d) / (width * width)).squareRoot()
    }

    /// The kernel weight of every distance.
    public static func weights(distances: [Double], width: Double = width) -> [Double] {
        distances.map { weight(distance: $0, width: width) }
    }
}

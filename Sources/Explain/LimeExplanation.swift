/// audioLIME's explanation of one instance for every regression target (docs/EXPLAIN.md, after audioLIME,
/// steps 3–6): the neighbourhood's distances and kernel weights, shared by all targets, and one
/// `LimeTargetExplanation` per target (`explanation.local_exp[t]`, `intercept[t]`, `score[t]`, …).
public struct LimeExplanation: Sendable, Equatable {
    public let componentCount: Int
    /// Cosine distance of every mask row to row 0 (`LimeKernel.cosineDistances`).
    public let distances: [Double]
    /// sqrt(exp(−d²/0.25²)) for every row, not normalised.
    public let kernelWeights: [Double]
    public let targets: [LimeTargetExplanation]
}

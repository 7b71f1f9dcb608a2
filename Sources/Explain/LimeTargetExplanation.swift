/// One target's audioLIME explanation (docs/EXPLAIN.md, which follows audioLIME: step 5): what
/// `LimeBase.explain_instance_with_data` returns for it (intercept, `local_exp`, score, local_pred),
/// the column order its 'highest_weights' feature selection chose, and what the paper reads from
/// it (the top positive component and the complexity).
public struct LimeTargetExplanation: Sendable, Equatable {
    /// The final ridge coefficients β (alpha = 1), in component order.
    public let coefficients: [Double]
    public let intercept: Double
    /// The fidelity: weighted R² of the linear model on the neighbourhood (`Ridge.score`).
    public let score: Double
    /// The linear model's prediction for row 0 (all components kept): Σβ + intercept.
    public let localPrediction: Double
    /// The components in `local_exp` order: β descending (signed), ties kept in feature-selection order.
    public let explanationOrder: [Int]
    /// The column order of the final fit: |β| of the alpha = 0 pre-fit, descending, ties by index.
    public let featureSelectionOrder: [Int]
    /// The first component of `local_exp` with β > 0, or −1 when no coefficient is positive
    /// (`get_sorted_components(positive_components=True, negative_components=False, num_components=1)`).
    public let topPositiveComponent: Int
    /// `ExplanationComplexity.entropy(of: coefficients)`; NaN when every coefficient is 0.
    public let complexity: Double
    /// True when every label of this target was identical, so the explanation was not fitted (see `LimeRegression`).
    public let isConstantTarget: Bool

    /// Derives the explanation order, top positive component and complexity from a fitted model.
    public init(
        coefficients: [Double], intercept: Double, score: Double, localPrediction: Double, featureSelectionOrder: [Int],
        isConstantTarget: Bool = false
    ) {
        precondition(
            featureSelectionOrder.sorted() == Array(0..<coefficients.count),
            "feature-selection order is not a permutation of \(coefficients.count) components")
        self.coefficients = coefficients
        self.intercept = intercept
        self.score = score
        self.localPrediction = localPrediction
        self.featureSelectionOrder = featureSelectionOrder
        self.explanationOrder = StableOrder.descending(featureSelectionOrder) { coefficients[$0] }
        self.topPositiveComponent = explanationOrder.first { coefficients[$0] > 0 } ?? -1
        self.complexity = ExplanationComplexity.entropy(of: coefficients)
        self.isConstantTarget = isConstantTarget
    }

    /// The components that explain this target: those with a positive coefficient, strongest first
    /// (`get_sorted_components(label, positive_components=True, negative_components=False)` with every
    /// component; its first entry is `topPositiveComponent`).
    public var explainingComponents: [Int] { explanationOrder.filter { coefficients[$0] > 0 } }

    /// `explainingComponents` with their coefficients, strongest first.
    public var explainingWeights: [(component: Int, weight: Double)] {
        explainingComponents.map { (component: $0, weight: coefficients[$0]) }
    }
}

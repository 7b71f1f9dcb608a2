/// The cross-validated scores of one trained linear layer, in the shape of the paper's Table 1:
/// per target, RMSE and R² on every held-out fold and their mean ± standard deviation over folds
/// (ddof 0), with the chosen α and the validation MSE of every α of the grid. Codable, so it can be
/// stored next to the model as JSON.
///
/// R² = 1 − SSres / SStot on the held-out fold, with the fold's own target mean. When a target is
/// constant on a fold SStot = 0 and R² is undefined: that fold's R² is nil (JSON null) and the mean
/// and standard deviation are taken over the remaining folds (`r2FoldCount` says how many); they are
/// nil when no fold defines R². The rendered table marks such targets.
public struct TrainingReport: Sendable, Codable, Equatable {
    /// One target's per-fold scores and their summaries.
    public struct TargetScores: Sendable, Codable, Equatable {
        public let name: String
        /// RMSE on each held-out fold.
        public let rmse: [Double]
        /// R² on each held-out fold; nil where the target is constant on the fold.
        public let r2: [Double?]
        public let rmseMean: Double
        public let rmseStd: Double
        /// Mean and standard deviation of the defined R² values; nil when there are none.
        public let r2Mean: Double?
        public let r2Std: Double?
        /// Folds whose R² is defined.
        public let r2FoldCount: Int
        /// The α chosen for this target when α is chosen per target (nil: the report's one `alpha`).
        public let alpha: Double?

        public init(name: String, rmse: [Double], r2: [Double?], alpha: Double? = nil) {
            self.name = name
            self.alpha = alpha
            self.rmse = rmse
            self.r2 = r2
            (rmseMean, rmseStd) = Self.meanAndStd(rmse)
            let defined = r2.compactMap { $0 }
            if defined.isEmpty {
                (r2Mean, r2Std) = (nil, nil)
            } else {
                let (mean, std) = Self.meanAndStd(defined)
                (r2Mean, r2Std) = (mean, std)
            }
            r2FoldCount = defined.count
        }

        /// Mean and population standard deviation (ddof 0).
        static func meanAndStd(_ values: [Double]) -> (Double, Double) {
            guard !values.isEmpty else { return (.nan, .nan) }
            let mean = values.reduce(0, +) / Double(values.count)
            let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
            return (mean, variance.squareRoot())
        }
    }

    public let targets: [TargetScores]
    /// The α with the smallest validation MSE over all targets: the one used for every target,
    /// unless α was chosen per target (then each target's `alpha` is the one used).
    public let alpha: Double
    /// The α grid searched, ascending.
    public let alphas: [Double]
    /// Validation MSE per α (mean over folds of the mean over targets), aligned with `alphas`.
    public let validationMSE: [Double]
    public let foldCount: Int
    /// Held-out rows per fold.
    public let foldSizes: [Int]
    /// Distinct groups when the folds were group-exclusive, nil otherwise.
    public let groupCount: Int?
    public let seed: UInt64
    public let rowCount: Int
    public let featureCount: Int
    public let standardised: Bool
    /// How the final fit on all rows was solved.
    public let solveMethod: RidgeRegression.SolveMethod

    public init(
        targets: [TargetScores], alpha: Double, alphas: [Double], validationMSE: [Double], foldCount: Int, foldSizes: [Int],
        groupCount: Int?, seed: UInt64, rowCount: Int, featureCount: Int, standardised: Bool,
        solveMethod: RidgeRegression.SolveMethod
    ) {
        self.targets = targets
        self.alpha = alpha
        self.alphas = alphas
        self.validationMSE = validationMSE
        self.foldCount = foldCount
        self.foldSizes = foldSizes
        self.groupCount = groupCount
        self.seed = seed
        self.rowCount = rowCount
        self.featureCount = featureCount
        self.standardised = standardised
        self.solveMethod = solveMethod
    }

    /// Whether the chosen α is the smallest or largest of a grid of several values (the optimum may
    /// lie outside the grid).
    public var alphaAtGridEdge: Bool { isAtGridEdge(alpha) }

    /// Whether α was chosen per target.
    public var alphaPerTarget: Bool { targets.contains { $0.alpha != nil } }

    func isAtGridEdge(_ value: Double) -> Bool {
        alphas.count > 1 && (value == alphas.first || value == alphas.last)
    }
}

import Core
import Foundation

extension TrainingReport {
    /// The paper's Table 1 as plain text: one row per target with RMSE and R² as mean ± std over
    /// the folds (three decimals), then the chosen α and how the folds were made, e.g.
    ///
    ///     target     RMSE             R²
    ///     arousal    0.123 ± 0.010    0.456 ± 0.020
    ///     valence    0.150 ± 0.012    0.301 ± 0.041
    ///     α = 3.16 (15 values from 0.001 to 1e+04)
    ///     5 group-exclusive folds over 87 groups (seed 0), 1200 rows, 200 features, standardised
    ///
    /// With α chosen per target, an `α` column and "α chosen per target (…)" instead. A target whose
    /// R² is undefined on some folds is marked `*` and footnoted.
    public func table() -> String {
        let perTarget = alphaPerTarget
        let header = ["target", "RMSE", "R²"] + (perTarget ? ["α"] : [])
        var rows: [[String]] = []
        var partial: [String] = []
        for target in targets {
            let rmse = "\(Self.fixed(target.rmseMean)) ± \(Self.fixed(target.rmseStd))"
            var r2 = "n/a"
            if let mean = target.r2Mean, let std = target.r2Std { r2 = "\(Self.fixed(mean)) ± \(Self.fixed(std))" }
            if target.r2FoldCount < foldCount {
                r2 += " *"
                partial.append("\(target.name) (\(target.r2FoldCount) of \(foldCount))")
            }
            var row = [target.name, rmse, r2]
            if perTarget, let alpha = target.alpha {
                row.append(Self.general(alpha) + (isAtGridEdge(alpha) ? " (grid edge)" : ""))
            }
            rows.append(row)
        }
        var lines = TextTable(header: header, rows: rows, gap: 4, rule: false).lines()
        var chosen = perTarget ? "α chosen per target" : "α = \(Self.general(alpha))"
        if let first = alphas.first, let last = alphas.last {
            chosen += " (\(alphas.count) values from \(Self.general(first)) to \(Self.general(last))"
            chosen += !perTarget && alphaAtGridEdge ? "; at the edge of the grid)" : ")"
        }
        lines.append(chosen)
        let folds = groupCount.map { "\(foldCount) group-exclusive folds over \($0) groups" } ?? "\(foldCount) folds"
        lines.append(
            "\(folds) (seed \(seed)), \(rowCount) rows, \(featureCount) features"
                + (standardised ? ", standardised" : ", raw features"))
        if !partial.isEmpty {
            lines.append("* R² over the folds where the target varies: " + partial.joined(separator: ", "))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func fixed(_ value: Double) -> String { String(format: "%.3f", value) }
    private static func general(_ value: Double) -> String { String(format: "%.3g", value) }
}

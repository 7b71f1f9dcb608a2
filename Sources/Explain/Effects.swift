/// The paper's effects (Chowdhury et al. 2021, §3): the effect of concept c on an output is the
/// concept's value times the linear weight joining them; the relative effect divides by the sum of
/// the absolute effects on that output (0 when every effect is 0).
public enum Effects {
    public static func of(concepts: [Float], weights: [Float]) -> (effect: [Double], relative: [Double]) {
        precondition(concepts.count == weights.count, "one weight per concept")
        let effect = zip(concepts, weights).map { Double($0) * Double($1) }
        let total = effect.reduce(0) { $0 + abs($1) }
        return (effect, effect.map { total > 0 ? $0 / total : 0 })
    }
}

import Analysis
import ArgumentParser

/// `stemtrace evaluate --store DIR [--model ID]`
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "A model's predictions against the stored labels: RMSE, R² and Pearson r with bootstrap intervals.",
        discussion: """
            Per model, label set (the labels' source file) and target, overall and per genre; the first table has the \
            layout of the paper's Table 1. Predictions of a track's excerpts are averaged first; intervals resample \
            tracks (--bootstrap, --ci-level, --seed).
            """)
    @OptionGroup var options: QueryOptions
    func run() throws {
        try options.print(.evaluate)
    }
}

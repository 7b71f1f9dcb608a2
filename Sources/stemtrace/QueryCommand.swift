import Analysis
import ArgumentParser
import Foundation

/// `stemtrace query …`: questions of a whole store, as tables (or CSV/JSON for scripts).
struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Ask questions of the stored predictions and explanations by genre.",
        subcommands: [
            QueryEffectsCommand.self, QuerySourcesCommand.self, QueryChainCommand.self, QueryErrorsCommand.self,
            QueryQualityCommand.self, QueryCompareCommand.self, QueryStabilityCommand.self,
        ])
}

extension QueryTable.Format: ExpressibleByArgument {}

/// Options every query takes.
struct QueryOptions: ParsableArguments {
    @Option(help: "Store directory.")
    var store: String

    @Option(help: "Tags that give genres: auto, file, csv, musicnn or musicnn:MODEL.")
    var genreSource: String = "auto"

    @Option(help: "With musicnn: the tags that count as genres, comma-separated (default: the MSD genre tags).")
    var genreTags: String?

    @Option(help: "With musicnn: the lowest tag score that gives a genre.")
    var genreThreshold: Double = 0.1

    @Option(name: .customLong("model"), help: "Model id (or prefix); compare takes two.")
    var models: [String] = []

    @Option(help: "Separator id or name prefix of the explanations' stems.")
    var separator: String?

    @Option(help: "Explanation config id (or prefix).")
    var config: String?

    @Option(help: "Explanation composition: normalized, paper or raw.")
    var composition: String?

    @Option(name: .customLong("track"), help: "Only these tracks (id prefixes; repeatable).")
    var tracks: [String] = []

    @Option(help: "Output: table, csv or json.")
    var format: QueryTable.Format = .table

    @OptionGroup var uncertainty: UncertaintyOptions

    func filters(models allowed: Int = 1) throws -> QueryFilters {
        guard models.count <= allowed else { throw ValidationError("give at most \(allowed) --model") }
        guard let source = GenreRules.Source(argument: genreSource) else {
            throw ValidationError("--genre-source must be auto, file, csv, musicnn or musicnn:MODEL, got '\(genreSource)'")
        }
        var f = QueryFilters()
        f.genres = GenreRules(
            source: source,
            genreTags: genreTags.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() } }
                ?? GenreRules.msdGenreTags,
            threshold: genreThreshold)
        f.model = allowed == 1 ? models.first : nil
        f.separator = separator
        f.config = config
        f.composition = composition
        f.tracks = tracks
        f.uncertainty = uncertainty.settings
        return f
    }

    func print(_ query: AnalysisQuery, models allowed: Int = 1) throws {
        let tables = try query.run(store: URL(fileURLWithPath: store), filters: try filters(models: allowed))
        Swift.print(tables.map { $0.render(format) }.joined(separator: format == .table ? "\n" : ""), terminator: "")
    }
}

struct QueryEffectsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "effects",
        abstract: "Mean relative effect of each mid-level feature on a target: a genre vs all other genres.")
    @OptionGroup var options: QueryOptions
    @Option(help: "Genre.") var genre: String
    @Option(help: "Emotion output, e.g. valence.") var target: String = "valence"
    func run() throws {
        try options.print(.effects(genre: genre, target: target))
    }
}

struct QuerySourcesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sources", abstract: "Per source: mean LIME weight, share of tracks where it is the top source, fidelity.")
    @OptionGroup var options: QueryOptions
    @Option(help: "Genre.") var genre: String
    @Option(help: "Explained target, e.g. rhythm_stability.") var feature: String
    func run() throws {
        try options.print(.sources(genre: genre, feature: feature))
    }
}

struct QueryChainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chain", abstract: "The two-level chain: top mid-level feature by effect, then its top sources, with counts."
    )
    @OptionGroup var options: QueryOptions
    @Option(help: "Genre.") var genre: String
    @Option(help: "Emotion output, e.g. valence.") var target: String = "valence"
    func run() throws {
        try options.print(.chain(genre: genre, target: target))
    }
}

struct QueryErrorsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "errors",
        abstract: "A genre's share of each prediction-error quantile, and the mean error per genre (needs labels).")
    @OptionGroup var options: QueryOptions
    @Option(help: "Target with labels, e.g. valence.") var target: String = "valence"
    @Option(name: .customLong("by-genre"), help: "Genre.") var genre: String
    @Option(help: "Number of quantiles.") var quantiles: Int = 10
    func run() throws {
        try options.print(.errors(target: target, genre: genre, quantiles: quantiles))
    }
}

struct QueryQualityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quality", abstract: "Fidelity and complexity of the explanations against the random-complexity baseline.")
    @OptionGroup var options: QueryOptions
    func run() throws { try options.print(.quality) }
}

struct QueryCompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare", abstract: "The effects (--target) or sources (--feature) query for two models side by side.")
    @OptionGroup var options: QueryOptions
    @Option(help: "Genre.") var genre: String
    @Option(help: "Emotion output (effects).") var target: String?
    @Option(help: "Explained target (sources).") var feature: String?
    func run() throws {
        try options.print(.compare(models: options.models, genre: genre, target: target, feature: feature), models: 2)
    }
}

struct QueryStabilityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stability",
        abstract: "Do explanations survive another mask seed or another separator? Top-source agreement and Spearman ρ.",
        discussion: """
            Compares every two explanation configs of the target that differ only in --seed (sampled masks) or only in \
            the separator, over the excerpts both explained, per genre.
            """)
    @OptionGroup var options: QueryOptions
    @Option(help: "Explained target (a concept or an output).") var target: String
    @Option(help: "Only this genre (default: all tracks and every genre).") var genre: String?
    func run() throws {
        try options.print(.stability(target: target, genre: genre))
    }
}

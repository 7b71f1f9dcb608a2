import Foundation
import GRDB
import Store

/// Every query of `stemtrace query`, run against a store in one read transaction.
public enum AnalysisQuery: Sendable {
    case effects(genre: String, target: String)
    case sources(genre: String, feature: String)
    case chain(genre: String, target: String)
    case errors(target: String, genre: String, quantiles: Int)
    case quality
    case compare(models: [String], genre: String, target: String?, feature: String?)
    /// `stemtrace evaluate`.
    case evaluate
    case stability(target: String, genre: String?)

    public func run(store url: URL, filters: QueryFilters) throws -> [QueryTable] {
        let store = try Store.open(at: url)
        let query = self
        return try store.catalog.query { db in try query.run(db, filters: filters) }
    }

    public func run(_ db: Database, filters: QueryFilters) throws -> [QueryTable] {
        switch self {
        case let .effects(genre, target): [try EffectsQuery.run(db, filters: filters, genre: genre, target: target)]
        case let .sources(genre, feature): [try SourcesQuery.run(db, filters: filters, genre: genre, feature: feature)]
        case let .chain(genre, target): [try ChainQuery.run(db, filters: filters, genre: genre, target: target)]
        case let .errors(target, genre, quantiles):
            try ErrorsQuery.run(db, filters: filters, target: target, genre: genre, quantiles: quantiles)
        case .quality: [try QualityQuery.run(db, filters: filters)]
        case let .compare(models, genre, target, feature):
            [try CompareQuery.run(db, filters: filters, models: models, genre: genre, target: target, feature: feature)]
        case .evaluate: try ModelEvaluation.run(db, filters: filters)
        case let .stability(target, genre): try StabilityQuery.run(db, filters: filters, target: target, genre: genre)
        }
    }
}

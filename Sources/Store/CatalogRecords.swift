import Foundation
import GRDB

// Rows of the catalog tables (schema/0001_initial.sql). Column names are the snake_case of the
// property names.

/// A snake_case column mapping shared by every catalog row type.
public protocol CatalogRecord: Codable, Sendable, FetchableRecord, PersistableRecord {}
extension CatalogRecord {
    public static var databaseColumnDecodingStrategy: DatabaseColumnDecodingStrategy { .convertFromSnakeCase }
    public static var databaseColumnEncodingStrategy: DatabaseColumnEncodingStrategy { .convertToSnakeCase }
}

/// One invocation of a stage: what ran, with which parameters, and how it went.
public struct RunRecord: CatalogRecord, Equatable {
    public static let databaseTableName = "runs"
    public var id: Int64?
    public var command: String
    public var parameters: String
    public var configHash: String?
    public var startedAt: String
    public var finishedAt: String?
    public var status: String
    public var processed = 0
    public var succeeded = 0
    public var duplicates = 0
    public var skipped = 0
    public var failed = 0
    /// Provenance (migration 0007); nil in rows written before it.
    public var stemtraceVersion: String?
    public var gitCommit: String?
    /// JSON object: library name → version.
    public var libraries: String?
    public var host: String?
    public var cpu: String?
    public var threads: Int?
    /// JSON array of the process's arguments.
    public var commandLine: String?
}

/// A per-file failure inside a run.
public struct RunFailureRecord: CatalogRecord, Equatable {
    public static let databaseTableName = "run_failures"
    public var id: Int64?
    public var runId: Int64
    public var path: String
    public var reason: String

    public init(runId: Int64, path: String, reason: String) {
        self.runId = runId
        self.path = path
        self.reason = reason
    }
}

/// A track: identified by the content hash of its decoded audio.
public struct TrackRecord: CatalogRecord, Equatable {
    public static let databaseTableName = "tracks"
    public var id: String
    public var sourcePath: String
    public var format: String
    public var durationS: Double
    public var sampleRate: Int
    public var channels: Int
    public var frames: Int
    public var partitionKey: Int64
    public var runId: Int64?
    public var createdAt: String

    public init(
        id: String, sourcePath: String, format: String, durationS: Double, sampleRate: Int, channels: Int,
        frames: Int, runId: Int64?, createdAt: String
    ) {
        self.id = id
        self.sourcePath = sourcePath
        self.format = format
        self.durationS = durationS
        self.sampleRate = sampleRate
        self.channels = channels
        self.frames = frames
        self.partitionKey = Self.partitionKey(forTrack: id)
        self.runId = runId
        self.createdAt = createdAt
    }

    /// A stable non-negative 63-bit key from the track id: its first 16 hex digits, top bit cleared.
    /// `--partition k/N` selects the tracks whose key mod N is k.
    public static func partitionKey(forTrack id: String) -> Int64 {
        Int64(bitPattern: (UInt64(id.prefix(16), radix: 16) ?? 0) & 0x7fff_ffff_ffff_ffff)
    }
}

/// An input accepted despite an irregularity, recorded with the run that noticed it.
public struct RunWarningRecord: CatalogRecord, Equatable {
    public static let databaseTableName = "run_warnings"
    public var id: Int64?
    public var runId: Int64
    public var path: String
    public var message: String

    public init(runId: Int64, path: String, message: String) {
        self.runId = runId
        self.path = path
        self.message = message
    }
}

/// A path at which a track's audio was found.
public struct TrackSourceRecord: CatalogRecord, Equatable {
    public static let databaseTableName = "track_sources"
    public var path: String
    public var trackId: String
    public var fileSize: Int64
    public var mtime: Double
    public var runId: Int64?

    public init(path: String, trackId: String, fileSize: Int64, mtime: Double, runId: Int64?) {
        self.path = path
        self.trackId = trackId
        self.fileSize = fileSize
        self.mtime = mtime
        self.runId = runId
    }
}

/// A metadata string from the file's tags or a joined CSV.
public struct TrackMetadataRecord: CatalogRecord, Equatable {
    public static let databaseTableName = "track_metadata"
    public var trackId: String
    public var key: String
    public var value: String
    public var source: String

    public init(trackId: String, key: String, value: String, source: String) {
        self.trackId = trackId
        self.key = key
        self.value = value
        self.source = source
    }
}

/// A genre tag or label.
public struct TagRecord: CatalogRecord, Equatable {
    public static let databaseTableName = "tags"
    public var trackId: String
    public var tag: String
    public var source: String
    public var score: Double?

    public init(trackId: String, tag: String, source: String, score: Double? = nil) {
        self.trackId = trackId
        self.tag = tag
        self.source = source
        self.score = score
    }
}

/// The analysis excerpt of a track under one front-end configuration.
public struct ExcerptRecord: CatalogRecord, Equatable {
    public static let databaseTableName = "excerpts"
    public var id: Int64?
    public var trackId: String
    public var configHash: String
    public var policy: String
    public var sampleRate: Int
    public var startSample: Int
    public var sampleCount: Int
    public var looped: Bool
    public var frameCount: Int

    public init(
        trackId: String, configHash: String, policy: String, sampleRate: Int, startSample: Int,
        sampleCount: Int, looped: Bool, frameCount: Int
    ) {
        self.trackId = trackId
        self.configHash = configHash
        self.policy = policy
        self.sampleRate = sampleRate
        self.startSample = startSample
        self.sampleCount = sampleCount
        self.looped = looped
        self.frameCount = frameCount
    }
}

/// Where an array's record is, what it holds and what produced it.
public struct ArrayRecord: CatalogRecord, Equatable {
    public static let databaseTableName = "arrays"
    public var id: Int64?
    public var trackId: String
    public var excerptId: Int64?
    public var kind: String
    public var name: String
    public var producer: String
    public var configHash: String
    public var shard: Int
    public var offset: Int64
    public var length: Int
    public var codec: String
    public var filter: String
    public var dtype: String
    public var shape: String
    public var rawLength: Int
    public var checksum: String
    public var runId: Int64?
    public var createdAt: String

    /// The shape decoded from its JSON column.
    public var dimensions: [Int] {
        (try? JSONDecoder().decode([Int].self, from: Data(shape.utf8))) ?? []
    }

    public var location: RecordLocation { RecordLocation(shard: shard, offset: offset, length: length) }
}

/// A separator that produced stems (migration 0002).
public struct SeparatorRecord: CatalogRecord, Equatable {
    public static let databaseTableName = "separators"
    public var id: String
    public var name: String
    public var version: String
    public var parameters: String
    public var parametersHash: String
    public var createdAt: String

    public init(id: String, name: String, version: String, parameters: String, parametersHash: String, createdAt: String) {
        self.id = id
        self.name = name
        self.version = version
        self.parameters = parameters
        self.parametersHash = parametersHash
        self.createdAt = createdAt
    }
}

/// A registered model (migration 0003), identified by the content hash of its weights.
public struct ModelRecord: CatalogRecord, Equatable {
    public static let databaseTableName = "models"
    public var id: String
    public var name: String
    public var kind: String
    public var frontEnd: String
    public var labels: String
    public var metadata: String
    public var createdAt: String

    public init(id: String, name: String, kind: String, frontEnd: String, labels: String, metadata: String, createdAt: String) {
        self.id = id
        self.name = name
        self.kind = kind
        self.frontEnd = frontEnd
        self.labels = labels
        self.metadata = metadata
        self.createdAt = createdAt
    }
}

/// One predicted value (a concept or an output) of a model for an excerpt.
public struct PredictionRecord: CatalogRecord, Equatable {
    public static let databaseTableName = "predictions"
    public var excerptId: Int64
    public var trackId: String
    public var modelId: String
    public var kind: String
    public var name: String
    public var value: Double
    public var inputStart: Int
    public var runId: Int64?
    public var createdAt: String

    public init(
        excerptId: Int64, trackId: String, modelId: String, kind: String, name: String, value: Double, inputStart: Int,
        runId: Int64?, createdAt: String
    ) {
        self.excerptId = excerptId
        self.trackId = trackId
        self.modelId = modelId
        self.kind = kind
        self.name = name
        self.value = value
        self.inputStart = inputStart
        self.runId = runId
        self.createdAt = createdAt
    }
}

/// The paper's effect of one concept on one output for an excerpt.
public struct EffectRecord: CatalogRecord, Equatable {
    public static let databaseTableName = "effects"
    public var excerptId: Int64
    public var trackId: String
    public var modelId: String
    public var output: String
    public var concept: String
    public var conceptValue: Double
    public var weight: Double
    public var effect: Double
    public var relativeEffect: Double
    public var runId: Int64?

    public init(
        excerptId: Int64, trackId: String, modelId: String, output: String, concept: String, conceptValue: Double,
        weight: Double, effect: Double, relativeEffect: Double, runId: Int64?
    ) {
        self.excerptId = excerptId
        self.trackId = trackId
        self.modelId = modelId
        self.output = output
        self.concept = concept
        self.conceptValue = conceptValue
        self.weight = weight
        self.effect = effect
        self.relativeEffect = relativeEffect
        self.runId = runId
    }
}

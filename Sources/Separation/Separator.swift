import Core
import DSP

/// Splits a track's mono analysis excerpt into named stems of the same length, once, at ingest.
///
/// Implementations: `BandsplitSeparator` (built in, weight-free), `CommandSeparator` (any external
/// tool, e.g. spleeter or demucs), `ImportedStemsSeparator` (stems that already exist as files).
/// The store records each separator's `identity`, so stems from several separators coexist for
/// one track and later stages choose them by name.
public protocol Separator: Sendable {
    var identity: SeparatorIdentity { get }
    func separate(_ input: SeparationInput) async throws(SeparationError) -> Stems
    /// Starts, on another thread, whatever the first separation would otherwise set up first (a
    /// network's plans), so that it overlaps the store's opening and the first decode. Errors
    /// are left for `separate` to report. Nothing by default.
    func prepareInBackground()
}

extension Separator {
    public func prepareInBackground() {}
}

/// What a separator is given: the excerpt and where it came from.
public struct SeparationInput: Sendable {
    /// Mono excerpt at `sampleRate` (the stored `mix`).
    public var mix: [Float]
    public var sampleRate: Int
    /// The track's audio file (importers find stem files beside it; errors name it).
    public var sourcePath: String
    /// The track's content id: what external tools see as the input's name, never the file name
    /// (a file name can carry shell syntax into a template that wraps a shell).
    public var trackId: String
    /// Where `mix` lies in the resampled track.
    public var excerpt: Excerpt

    public init(mix: [Float], sampleRate: Int, sourcePath: String, trackId: String, excerpt: Excerpt) {
        self.mix = mix
        self.sampleRate = sampleRate
        self.sourcePath = sourcePath
        self.trackId = trackId
        self.excerpt = excerpt
    }
}

/// Who made a set of stems: name, version and the hash of the parameters that shaped them.
public struct SeparatorIdentity: Sendable, Hashable, Codable {
    public var name: String
    public var version: String
    /// Canonical JSON of the parameters (sorted keys).
    public var parameters: String

    public init(name: String, version: String, parameters: String) {
        self.name = name
        self.version = version
        self.parameters = parameters
    }

    /// Identity from an encodable parameter value.
    public init<P: Encodable>(name: String, version: String, parameters value: P) {
        self.init(name: name, version: version, parameters: CanonicalJSON.string(value))
    }

    public var parametersHash: String { ContentHash.of(parameters) }

    /// The producer id stored with every stem array: `name@version#hash12`.
    public var id: String { "\(name)@\(version)#\(parametersHash.prefix(12))" }
}

/// The stems of one excerpt, in a fixed order, all the same length.
public struct Stems: Sendable, Equatable {
    public let names: [String]
    public let signals: [[Float]]
    /// What was added to one stem so that the stems add up to the excerpt (spleeter), if anything.
    public var absorbed: AbsorbedResidual?

    /// Validates that there is at least one stem, names follow `StemName` and are unique,
    /// lengths match `length` and every sample is finite.
    public init(names: [String], signals: [[Float]], length: Int, path: String) throws(SeparationError) {
        guard !names.isEmpty, names.count == signals.count else {
            throw .invalidStems(path: path, reason: "no stems")
        }
        if let bad = names.first(where: { !StemName.isValid($0) }) { throw .invalidStems(path: path, reason: StemName.rule(bad)) }
        guard Set(names).count == names.count else { throw .invalidStems(path: path, reason: "duplicate stem names \(names)") }
        for (name, signal) in zip(names, signals) {
            guard signal.count == length else {
                throw .lengthMismatch(path: path, stem: name, expected: length, actual: signal.count)
            }
            if signal.contains(where: { !$0.isFinite }) { throw .nonFinite(path: path, stem: name) }
        }
        self.names = names
        self.signals = signals
    }

    public subscript(name: String) -> [Float]? {
        names.firstIndex(of: name).map { signals[$0] }
    }
}

/// One of `count` disjoint shares of a corpus, written `k/N` (`--partition k/N`): the tracks whose
/// `TrackRecord.partitionKey(forTrack:)` mod `count` is `index`. The key is a stable hash of the
/// track id, so every copy of the same audio falls in the same partition, and the N partitions
/// together hold every track exactly once.
public struct Partition: Sendable, Hashable, Codable, CustomStringConvertible {
    /// k: which share, 0 ≤ k < N.
    public let index: Int
    /// N: how many shares, at least 1.
    public let count: Int

    public init(index: Int, count: Int) throws(PartitionError) {
        try self.init(index, count, text: "\(index)/\(count)")
    }

    /// Parses `k/N`: two decimal integers with 0 ≤ k < N and N ≥ 1.
    public init(parsing text: String) throws(PartitionError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw .malformed(text: text) }
        guard let index = Int(parts[0]) else { throw .notAnInteger(text: text, part: String(parts[0])) }
        guard let count = Int(parts[1]) else { throw .notAnInteger(text: text, part: String(parts[1])) }
        try self.init(index, count, text: text)
    }

    private init(_ index: Int, _ count: Int, text: String) throws(PartitionError) {
        guard count >= 1 else { throw .countTooSmall(text: text, count: count) }
        guard index >= 0, index < count else { throw .indexOutOfRange(text: text, index: index, count: count) }
        self.index = index
        self.count = count
    }

    /// Whether the track with this id (its content hash) belongs to the partition.
    public func contains(trackId: String) -> Bool {
        TrackRecord.partitionKey(forTrack: trackId) % Int64(count) == Int64(index)
    }

    /// `k/N`.
    public var description: String { "\(index)/\(count)" }

    /// Encoded as its `k/N` text (as recorded in run parameters).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        self = try Partition(parsing: try container.decode(String.self))
    }
}

/// Why a `k/N` partition was rejected; each case quotes the text given.
public enum PartitionError: Error, Equatable, CustomStringConvertible {
    case malformed(text: String)
    case notAnInteger(text: String, part: String)
    case countTooSmall(text: String, count: Int)
    case indexOutOfRange(text: String, index: Int, count: Int)

    public var description: String {
        switch self {
        case let .malformed(t): "partition '\(t)': expected k/N, e.g. 2/8"
        case let .notAnInteger(t, p): "partition '\(t)': '\(p)' is not an integer (expected k/N, e.g. 2/8)"
        case let .countTooSmall(t, n): "partition '\(t)': the count N must be at least 1, not \(n)"
        case let .indexOutOfRange(t, k, n): "partition '\(t)': the index k must satisfy 0 ≤ k < \(n), not \(k)"
        }
    }
}

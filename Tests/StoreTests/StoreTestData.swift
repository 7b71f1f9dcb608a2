import Core
import Foundation
import TestSupport

@testable import Store

/// Builders for the Store tests: deterministic tensors, catalog rows and pending tracks, plus
/// raw byte surgery on shard files (to simulate crashes and corruption).
enum StoreTestData {
    /// A 32-hex-digit track id derived from a small number (stands in for an XXH3-128 content hash).
    static func trackID(_ n: Int) -> String { ContentHash.of("track-\(n)") }

    /// A smooth float signal: every value differs from its neighbours only in the low mantissa bits.
    static func smoothFloats(_ count: Int, phase: Float = 0) -> [Float] {
        (0..<count).map { 0.5 + 0.25 * sin(Float($0) * 0.01 + phase) }
    }

    /// Deterministic noise that LZ4 cannot shrink much (a xorshift generator; same seed, same values).
    static func noiseFloats(_ count: Int, seed: UInt64) -> [Float] {
        var state = seed | 1
        return (0..<count).map { _ in
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return Float(bitPattern: UInt32(truncatingIfNeeded: state >> 16))
        }
    }

    /// A float64 tensor built from raw little-endian bytes.
    static func doubles(_ values: [Double], shape: [Int]) throws -> Tensor {
        try Tensor(dtype: .f64, shape: shape, bytes: values.withUnsafeBytes { Data($0) })
    }

    /// One pending track with an excerpt under `configHash` and the given arrays (kind → tensor).
    static func pending(
        track n: Int, path: String? = nil, configHash: String = "cfg-a", runId: Int64? = nil,
        tags: [String] = [], arrays: [(kind: String, tensor: Tensor)]
    ) throws -> PendingTrack {
        let id = trackID(n)
        let sourcePath = path ?? "/corpus/track-\(n).wav"
        let track = TrackRecord(
            id: id, sourcePath: sourcePath, format: "WAV", durationS: 30, sampleRate: 44100,
            channels: 2, frames: 1_323_000, runId: runId, createdAt: Timestamp.now())
        let source = TrackSourceRecord(path: sourcePath, trackId: id, fileSize: 5_292_044, mtime: 1_700_000_000.5, runId: runId)
        let excerpt = ExcerptRecord(
            trackId: id, configHash: configHash, policy: "middle", sampleRate: 22050,
            startSample: 0, sampleCount: 661_500, looped: false, frameCount: 1502)
        let pendingArrays = try arrays.map { kind, tensor in
            PendingArray(kind: kind, producer: "test", configHash: configHash, record: try ShardRecord.encode(tensor))
        }
        return PendingTrack(
            track: track, source: source,
            metadata: [TrackMetadataRecord(trackId: id, key: "title", value: "Track \(n)", source: "file")],
            tags: tags.map { TagRecord(trackId: id, tag: $0, source: "file") },
            excerpt: excerpt, arrays: pendingArrays)
    }

    /// The usual pair of arrays for track `n`: a smooth waveform and a small spectrogram.
    static func standardArrays(_ n: Int) -> [(kind: String, tensor: Tensor)] {
        [
            ("mix", Tensor(floats: smoothFloats(2000, phase: Float(n)), shape: [2000])),
            ("logfiltspec", Tensor(floats: noiseFloats(6 * 20, seed: UInt64(n) + 7), shape: [6, 20])),
        ]
    }

    // MARK: Shard byte surgery

    static func shardURL(_ store: Store, _ shard: Int) -> URL { ShardFile.url(shard, in: store.shardDirectory) }

    static func appendGarbage(_ count: Int, to url: URL) throws {
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data((0..<count).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }))
    }

    /// XORs one byte of a file in place.
    static func flipByte(at offset: Int64, in url: URL) throws {
        var data = try Data(contentsOf: url)
        data[Int(offset)] ^= 0xA5
        try data.write(to: url)
    }

    static func fileSize(_ url: URL) throws -> Int64 {
        let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
        guard let size = attributes[.size] as? NSNumber else { throw CocoaError(.fileReadUnknown) }
        return size.int64Value
    }
}

/// The temporary directories one test makes; removed when the test's suite instance goes away
/// (Swift Testing makes a fresh suite instance for every test).
final class TemporaryStores: @unchecked Sendable {
    private let lock = NSLock()
    private var roots: [URL] = []

    /// A fresh empty directory that is deleted after the test.
    func directory() throws -> URL {
        let root = try Fixtures.temporaryDirectory("stemtrace-store-test")
        lock.withLock { roots.append(root) }
        return root
    }

    /// A fresh store in its own temporary directory.
    func fresh() throws -> Store { try Store.open(at: try directory(), create: true) }

    deinit {
        for root in roots { try? FileManager.default.removeItem(at: root) }
    }
}

import AudioIO
import DSP
import Foundation
import Store

/// The per-file work of ingest, run in parallel workers: skip unchanged files, decode and
/// prepare, pick the excerpt, compute the spectrogram, compress both arrays. Never throws: every
/// problem becomes a `.failed` outcome naming the file and the reason.
struct TrackAnalyser: Sendable {
    let config: FrontEndConfig
    let configHash: String
    let runId: Int64
    let corpus: URL
    let metadata: MetadataTable?
    let catalog: Catalog
    let processor: LogFilteredSpectrogram

    init(config: FrontEndConfig, configHash: String, runId: Int64, corpus: URL, metadata: MetadataTable?, catalog: Catalog) {
        self.config = config
        self.configHash = configHash
        self.runId = runId
        self.corpus = corpus
        self.metadata = metadata
        self.catalog = catalog
        self.processor = LogFilteredSpectrogram(config: config.spectrogram)
    }

    func analyse(_ file: URL) -> IngestStage.FileOutcome {
        let path = file.path
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            let size = (attributes[.size] as? NSNumber)?.int64Value ?? 0
            let mtime = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            if try catalog.isCurrentSource(path: path, fileSize: size, mtime: mtime, configHash: configHash) { return .skipped }
            guard size > 0 else { return .failed(path: path, reason: "empty: zero-byte file") }
            let prepared = try PreparedTrack.load(path: path, sampleRate: config.sampleRate)
            return .stored(try pending(prepared, file: file, size: size, mtime: mtime))
        } catch let error as AudioError {
            return .failed(path: path, reason: error.reason)
        } catch let error as CocoaError where error.code == .fileReadNoPermission {
            return .failed(path: path, reason: "unreadable: permission denied")
        } catch {
            return .failed(path: path, reason: "\(error)")
        }
    }

    private func pending(_ track: PreparedTrack, file: URL, size: Int64, mtime: Double) throws -> PendingTrack {
        let now = Timestamp.now()
        let id = track.contentHash
        let source = TrackSourceRecord(path: track.path, trackId: id, fileSize: size, mtime: mtime, runId: runId)
        let row = TrackRecord(
            id: id, sourcePath: track.path, format: track.formatName, durationS: track.duration,
            sampleRate: track.originalSampleRate, channels: track.channelCount, frames: track.frameCount,
            runId: runId, createdAt: now)
        var metadataRows = track.tags.map { TrackMetadataRecord(trackId: id, key: $0.key, value: $0.value, source: "file") }
        var tags = (track.tags["genre"].map(MetadataTable.splitGenres) ?? []).map {
            TagRecord(trackId: id, tag: $0, source: "file")
        }
        if let facts = metadata?.facts(for: file, corpus: corpus) {
            metadataRows += facts.metadata.map { TrackMetadataRecord(trackId: id, key: $0.key, value: $0.value, source: "csv") }
            tags += facts.genres.map { TagRecord(trackId: id, tag: $0, source: "csv") }
        }
        let excerpt = Excerpt.choose(
            total: track.mono.count, length: config.excerptSamples, sampleRate: config.sampleRate,
            policy: config.excerptPolicy)
        // A known track under the same configuration needs no recomputation: the writer records
        // this path as another source of it.
        if try catalog.hasExcerpt(track: id, configHash: configHash) {
            return PendingTrack(
                track: row, source: source, metadata: metadataRows, tags: tags,
                excerpt: excerptRecord(id, excerpt, frames: 0), arrays: [])
        }
        let mix = Array(track.mono[excerpt.range])
        let spectrogram = try processor.compute(mix)
        let arrays = [
            PendingArray(
                kind: "mix", configHash: configHash, record: try ShardRecord.encode(Tensor(floats: mix, shape: [mix.count]))),
            PendingArray(
                kind: "logfiltspec", configHash: configHash,
                record: try ShardRecord.encode(
                    Tensor(floats: spectrogram.values, shape: [spectrogram.bandCount, spectrogram.frameCount]))),
        ]
        return PendingTrack(
            track: row, source: source, metadata: metadataRows, tags: tags,
            excerpt: excerptRecord(id, excerpt, frames: spectrogram.frameCount), arrays: arrays)
    }

    private func excerptRecord(_ id: String, _ excerpt: Excerpt, frames: Int) -> ExcerptRecord {
        ExcerptRecord(
            trackId: id, configHash: configHash, policy: excerpt.policy.description, sampleRate: config.sampleRate,
            startSample: excerpt.startSample, sampleCount: excerpt.sampleCount, looped: excerpt.looped,
            frameCount: frames)
    }
}

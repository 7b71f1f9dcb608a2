import AudioIO
import Core
import DSP
import Foundation
import Separation
import Store

/// The per-file work of ingest, run in parallel workers: skip unchanged files, decode, pass over
/// tracks of another partition (decided by the content hash, before any costly step), prepare,
/// pick the excerpt, compute its spectrogram, separate it into stems (each with its own
/// spectrogram), compress every array. Never throws: every problem becomes a `.failed` outcome
/// naming the file and the reason, and nothing of a failed track is stored. Paths are kept as
/// bytes (`FileSystemPath`) and stored by their reversible text form.
struct TrackAnalyser: Sendable {
    let config: FrontEndConfig
    let configHash: String
    let runId: Int64
    let corpus: URL
    let metadata: MetadataTable?
    let catalog: Catalog
    let separator: (any Separator)?
    /// Only tracks of this partition are prepared and stored (nil: every track).
    let partition: Partition?
    let stemProducer: String?
    let processor: LogFilteredSpectrogram
    /// Bounds on what one file may cost (`--max-duration`, sample rates).
    let limits: DecodeLimits
    /// Also store each stem's log-filtered spectrogram (`stem_logfiltspec`); no stage reads them.
    let stemSpectrograms: Bool

    init(
        config: FrontEndConfig, configHash: String, runId: Int64, corpus: URL, metadata: MetadataTable?, catalog: Catalog,
        separator: (any Separator)?, partition: Partition? = nil, limits: DecodeLimits = .standard,
        stemSpectrograms: Bool = false
    ) {
        self.limits = limits
        self.stemSpectrograms = stemSpectrograms
        self.config = config
        self.configHash = configHash
        self.runId = runId
        self.corpus = corpus
        self.metadata = metadata
        self.catalog = catalog
        self.separator = separator
        self.partition = partition
        self.stemProducer = separator?.identity.id
        self.processor = LogFilteredSpectrogram(config: config.spectrogram)
    }

    func analyse(_ file: FileSystemPath) async -> IngestStage.FileOutcome {
        let path = file.text
        do {
            let facts: SourceFile
            do { facts = try SourceFile(file) } catch { return .failed(path: path, reason: error.reason) }
            if try catalog.isCurrentSource(
                path: path, fileSize: facts.size, mtime: facts.mtime, configHash: configHash,
                stemProducer: stemProducer)
            {
                return .skipped
            }
            let decoded = try AudioDecoder.decode(file, limits: limits)
            let contentHash = PreparedTrack.contentHash(of: decoded)
            if let partition, !partition.contains(trackId: contentHash) { return .otherPartition }
            let prepared = try PreparedTrack.prepare(
                decoded, contentHash: contentHash, path: path, sampleRate: config.sampleRate)
            let (track, absorbed) = try await pending(prepared, file: file.url, size: facts.size, mtime: facts.mtime)
            return .stored(track, warnings: decoded.warnings, absorbed: absorbed)
        } catch let error as AudioError {
            return .failed(path: path, reason: error.reason)
        } catch let error as SeparationError {
            return .failed(path: path, reason: error.reason)
        } catch {
            return .failed(path: path, reason: "\(error)")
        }
    }

    private func pending(_ track: PreparedTrack, file: URL, size: Int64, mtime: Double) async throws -> (
        PendingTrack, AbsorbedResidual?
    ) {
        var absorbed: AbsorbedResidual?
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
        let mix = Array(track.mono[excerpt.range])
        // Only what the store lacks is computed: a known track under the same configuration needs
        // no spectrogram, and stems only when this separator has not made them yet.
        let needsExcerpt = !(try catalog.hasArrays(track: id, kind: "logfiltspec", configHash: configHash))
        let needsStems =
            try stemProducer.map { !(try catalog.hasArrays(track: id, kind: "stem", producer: $0, configHash: configHash)) }
            ?? false
        var arrays: [PendingArray] = []
        var frameCount = 0
        if needsExcerpt {
            let spectrogram = try processor.compute(mix)
            frameCount = spectrogram.frameCount
            arrays.append(
                PendingArray(
                    kind: "mix", configHash: configHash, record: try ShardRecord.encode(Tensor(floats: mix, shape: [mix.count]))))
            arrays.append(try spectrogramArray(spectrogram, kind: "logfiltspec"))
        }
        if needsStems, let separator, let producer = stemProducer {
            let stems = try await separator.separate(
                SeparationInput(
                    mix: mix, sampleRate: config.sampleRate, sourcePath: track.path, trackId: id, excerpt: excerpt))
            absorbed = stems.absorbed
            // Two or more stems that all equal the excerpt: a model that did not load, not a result.
            if stems.names.count >= 2, mix.contains(where: { $0 != 0 }),
                stems.signals.allSatisfy({ StemChecks.isCopy($0, of: mix) })
            {
                throw SeparationError.invalidStems(
                    path: track.path,
                    reason:
                        "every stem (\(stems.names.joined(separator: ", "))) equals the excerpt within 1e-6 of its peak: the separator did not separate (model not loaded?)"
                )
            }
            for (name, signal) in zip(stems.names, stems.signals) {
                arrays.append(
                    PendingArray(
                        kind: "stem", name: name, producer: producer, configHash: configHash,
                        record: try ShardRecord.encode(Tensor(floats: signal, shape: [signal.count]))))
                if stemSpectrograms {
                    arrays.append(
                        try spectrogramArray(
                            try processor.compute(signal), kind: "stem_logfiltspec", name: name, producer: producer))
                }
            }
        }
        let excerptRow = ExcerptRecord(
            trackId: id, configHash: configHash, policy: excerpt.policy.description, sampleRate: config.sampleRate,
            startSample: excerpt.startSample, sampleCount: excerpt.sampleCount, looped: excerpt.looped, frameCount: frameCount)
        return (
            PendingTrack(track: row, source: source, metadata: metadataRows, tags: tags, excerpt: excerptRow, arrays: arrays),
            absorbed
        )
    }

    private func spectrogramArray(_ s: Spectrogram, kind: String, name: String = "", producer: String = "") throws -> PendingArray
    {
        PendingArray(
            kind: kind, name: name, producer: producer, configHash: configHash,
            record: try ShardRecord.encode(Tensor(floats: s.values, shape: [s.bandCount, s.frameCount])))
    }
}

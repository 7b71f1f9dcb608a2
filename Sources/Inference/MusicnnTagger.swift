import AudioIO
import Foundation

/// One tag with its probability.
public struct MusicnnTag: Sendable, Equatable {
    public let label: String
    /// Index in `MusicnnModel.labels` (the network's output order).
    public let index: Int
    public let probability: Float
}

/// Tags of one track: the per-patch taggram and the track-level tags, which are the arithmetic
/// mean of the taggram rows (mean of probabilities, as musicnn's `top_tags`/`extractor` compute).
public struct MusicnnTags: Sendable {
    /// Everything the network returned (taggram, logits, penultimate, pooled features).
    public let output: MusicnnOutput
    /// The 50 track-level probabilities, `MusicnnModel.labels` order.
    public let tags: [Float]
    /// Spectrogram frames of the input (patches × 187 plus the dropped tail).
    public let frameCount: Int

    public init(output: MusicnnOutput, frameCount: Int) {
        self.output = output
        self.frameCount = frameCount
        let n = MusicnnModel.tagCount
        var sums = [Double](repeating: 0, count: n)
        for p in 0..<output.patchCount {
            for i in 0..<n { sums[i] += Double(output.taggram[p * n + i]) }
        }
        tags = sums.map { Float($0 / Double(max(output.patchCount, 1))) }
    }

    public var patchCount: Int { output.patchCount }

    /// Frames after the last whole patch, which the network never saw.
    public var droppedFrames: Int { frameCount - patchCount * MusicnnFrontEnd.patchFrames }

    /// The 50 probabilities of patch `index` (3 s starting at frame 187 · index).
    public func patchTags(_ index: Int) -> [Float] {
        let n = MusicnnModel.tagCount
        return Array(output.taggram[(index * n)..<((index + 1) * n)])
    }

    /// The `k` most probable track-level tags, most probable first (ties by label index), as
    /// musicnn's `top_tags(..., topN: k)` ranks them.
    public func top(_ k: Int = 3) -> [MusicnnTag] {
        Self.ranked(tags, k)
    }

    /// The `k` most probable tags of one patch.
    public func top(_ k: Int, patch index: Int) -> [MusicnnTag] {
        Self.ranked(patchTags(index), k)
    }

    static func ranked(_ probabilities: [Float], _ k: Int) -> [MusicnnTag] {
        let order = probabilities.indices.sorted { a, b in
            probabilities[a] != probabilities[b] ? probabilities[a] > probabilities[b] : a < b
        }
        return order.prefix(max(0, k)).map {
            MusicnnTag(label: MusicnnModel.labels[$0], index: $0, probability: probabilities[$0])
        }
    }
}

/// musicnn's tagger (`musicnn.tagger.top_tags` / `extractor.extractor` with model `MSD_musicnn`,
/// `input_length=3`, no overlap; reference the maintainers' musicnn reference (MUSICNN.md)): audio → mono
/// 16 kHz → log-mel patches (`MusicnnFrontEnd`) → per-patch probabilities (`MusicnnModel`) →
/// track tags as the mean over patches.
///
/// Decoding uses libsndfile and the channel mean, like `librosa.load(mono=True)`; other sample
/// rates are resampled with libsoxr HQ where musicnn's librosa 0.7 used resampy `kaiser_best`, so
/// only 16 kHz input reproduces the reference exactly.
///
/// ```swift
/// let tagger = try MusicnnTagger()
/// let result = try tagger.tag(contentsOf: "song.flac")
/// result.top(3)    // e.g. [metal 0.88, heavy metal 0.18, hard rock 0.03]
/// ```
public struct MusicnnTagger: Sendable {
    public let frontEnd: MusicnnFrontEnd
    public let model: MusicnnModel
    public var resampler: Resampler

    /// The bundled MSD_musicnn weights.
    public init(resampler: Resampler = Resampler(quality: .high)) throws(MusicnnError) {
        do { try self.init(model: MusicnnModel(), resampler: resampler) } catch { throw .model(error) }
    }

    public init(model: MusicnnModel, frontEnd: MusicnnFrontEnd = MusicnnFrontEnd(), resampler: Resampler = Resampler()) {
        self.model = model
        self.frontEnd = frontEnd
        self.resampler = resampler
    }

    /// Tags mono samples at `sampleRate` (resampled to 16 kHz when different).
    public func tag(_ samples: [Float], sampleRate: Int = MusicnnFrontEnd.sampleRate) throws(MusicnnError) -> MusicnnTags {
        let patches = try frontEnd.patches(samples, sampleRate: sampleRate, resampler: resampler)
        return MusicnnTags(output: model.predict(patches), frameCount: patches.frameCount)
    }

    /// Tags decoded audio of any channel count and rate (down-mixed by the channel mean).
    public func tag(_ audio: DecodedAudio) throws(MusicnnError) -> MusicnnTags {
        try tag(audio.downmixed(), sampleRate: audio.sampleRate)
    }

    /// Decodes, down-mixes, resamples and tags a file. The whole file is used.
    public func tag(contentsOf path: String) throws(MusicnnError) -> MusicnnTags {
        let audio: DecodedAudio
        do { audio = try AudioDecoder.decode(path: path) } catch { throw .audio(error) }
        let mono = audio.downmixed()
        let samples: [Float]
        do { samples = try resampler.resample(mono, from: audio.sampleRate, to: MusicnnFrontEnd.sampleRate, path: path) } catch {
            throw .audio(error)
        }
        return try tag(samples)
    }
}

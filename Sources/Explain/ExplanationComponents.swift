/// The interpretable components of one explanation: each stem, or each stem within each
/// temporal segment, as a full-length waveform that is zero outside its segment.
///
/// Mirrors audioLIME's `SourceSeparationBasedFactorization.prepare_components` with
/// `temporal_segmentation_params = {'type': 'fixed_length', 'n_temporal_segments': n}`:
/// `samples_per_segment = N // n`, the explained length is `samples_per_segment · n` (the last
/// `N mod n` samples are dropped), the segment is the outer loop (component = segment · stems +
/// stem) and the names are the stem name followed by the segment number (`vocals0`, `drums0`, …).
/// With a single segment the names are the plain stem names.
public struct ExplanationComponents: Sendable {
    public let names: [String]
    /// The stem (source) of each component, and its segment.
    public let sources: [String]
    public let segments: [Int]
    /// One waveform per component, all `sampleCount` long.
    public let waveforms: [[Float]]
    public let sampleCount: Int

    public var count: Int { names.count }

    /// Components from named stems (all of one length) split into `segments` equal segments.
    public init(stems: [(name: String, samples: [Float])], segments: Int = 1) throws(ExplainError) {
        guard let first = stems.first else { throw .noComponents }
        guard segments >= 1 else { throw .invalidSegmentCount(segments) }
        let length = first.samples.count
        guard stems.allSatisfy({ $0.samples.count == length }) else {
            throw .stemLengthsDiffer(stems.map { "\($0.name): \($0.samples.count)" })
        }
        let perSegment = length / segments
        guard perSegment > 0 else { throw .invalidSegmentCount(segments) }
        let explained = perSegment * segments
        var names: [String] = []
        var sources: [String] = []
        var segmentIndex: [Int] = []
        var waveforms: [[Float]] = []
        for s in 0..<segments {
            let range = (s * perSegment)..<((s + 1) * perSegment)
            for stem in stems {
                var wave = [Float](repeating: 0, count: explained)
                wave[range] = stem.samples[range]
                waveforms.append(wave)
                names.append(segments > 1 ? stem.name + String(s) : stem.name)
                sources.append(stem.name)
                segmentIndex.append(s)
            }
        }
        self.names = names
        self.sources = sources
        self.segments = segmentIndex
        self.waveforms = waveforms
        self.sampleCount = explained
    }

    /// The sum of the selected components (a bit set over component indices), in component order.
    public func sum(of pattern: UInt64) -> [Float] {
        var out = [Float](repeating: 0, count: sampleCount)
        for c in 0..<count where pattern & (1 << UInt64(c)) != 0 {
            waveforms[c].withUnsafeBufferPointer { w in
                for i in 0..<sampleCount { out[i] += w[i] }
            }
        }
        return out
    }
}

import DSP

/// Forms the log-filtered spectrogram of every perturbation (a sum of selected components)
/// from cached complex spectra instead of re-running the front end on each summed waveform
/// (docs/EXPLAIN.md).
///
/// The STFT is linear, so the spectrum of a sum is the sum of the components' spectra. Each
/// component is transformed once per frame-grid offset; masks are visited in Gray-code order
/// within each grid, so moving to the next mask adds or subtracts one component's spectrum
/// (and its waveform, for the peak) in a float64 accumulator. The result is then scaled,
/// filtered and log-compressed exactly as `LogFilteredSpectrogram` does.
///
/// Conditioning (`SignalConditioning`):
/// - `normalized`: scale by 1 / peak of the time-domain sum; every mask shares the grid at 0.
/// - `paper`: as `normalized`, plus madmom's zero trimming: the grid starts at the sum's first
///   non-zero sample (the earliest onset among the selected components) and has
///   `ceil(L / hop)` frames, L running to the last non-zero sample. Components are cached per
///   distinct start offset. Exact cancellation between components (a sum that is zero where its
///   parts are not) is not modelled.
/// - `raw`: no scaling, grid at 0.
/// A mask whose sum is all zeros gives the all-zero spectrogram of `ceil(N / hop)` frames
/// (the reference produces NaN there).
public final class PerturbationComposer<FrontEnd: ComposableFrontEnd> {
    public let frontEnd: FrontEnd
    public let components: ExplanationComponents
    public let conditioning: SignalConditioning
    /// First and last non-zero sample of each component, nil for a silent one.
    let supports: [ClosedRange<Int>?]
    private var spectra: [CacheKey: ComponentSpectrum] = [:]

    struct CacheKey: Hashable {
        let component: Int
        let offset: Int
    }

    /// The non-zero frames `firstFrame ..< firstFrame + frameCount` of one component on one grid.
    struct ComponentSpectrum {
        let firstFrame: Int
        let frameCount: Int
        let values: [Double]
    }

    public init(frontEnd: FrontEnd, components: ExplanationComponents, conditioning: SignalConditioning)
        throws(ExplainError)
    {
        guard components.count <= 64 else { throw .tooManyComponents(components.count) }
        guard conditioning != .paper || frontEnd.supportsTrimming else { throw .conditioningUnsupported(conditioning.rawValue) }
        self.frontEnd = frontEnd
        self.components = components
        self.conditioning = conditioning
        supports = components.waveforms.map { wave in
            guard let first = wave.firstIndex(where: { $0 != 0 }), let last = wave.lastIndex(where: { $0 != 0 }) else {
                return nil
            }
            return first...last
        }
    }

    /// The components that are not entirely silent, as a bit set; selecting a silent component
    /// changes nothing, so masks equal on this set give equal spectrograms.
    public var audibleComponents: UInt64 {
        var bits: UInt64 = 0
        for (c, support) in supports.enumerated() where support != nil { bits |= 1 << UInt64(c) }
        return bits
    }

    /// The frame grid a mask's sum is framed on: its start sample and frame count.
    public func grid(of pattern: UInt64) -> (offset: Int, frameCount: Int)? {
        let selected = supports.enumerated().compactMap { c, s in pattern & (1 << UInt64(c)) != 0 ? s : nil }
        guard let onset = selected.map(\.lowerBound).min(), let end = selected.map(\.upperBound).max() else { return nil }
        switch conditioning {
        case .paper: return (onset, frontEnd.frameCount(sampleCount: end - onset + 1))
        case .normalized, .raw: return (0, frontEnd.frameCount(sampleCount: components.sampleCount))
        }
    }

    /// The patterns' indices in composition order: silent sums first, then grid by grid (by start
    /// offset), Gray-code order within a grid. Composing consecutive slices of this order keeps
    /// the accumulator moves to about one component per mask.
    public func compositionOrder(_ patterns: [UInt64]) -> [Int] {
        let keys = patterns.map { p -> (Int, UInt64) in
            let audible = p & audibleComponents
            return (grid(of: audible)?.offset ?? -1, Self.grayRank(audible))
        }
        return patterns.indices.sorted { keys[$0] < keys[$1] || (keys[$0] == keys[$1] && $0 < $1) }
    }

    /// Calls `body(index, spectrogram)` once for every pattern (component bit sets, bit c =
    /// component c), in composition order (grid by grid, Gray-code order within a grid).
    public func compose(_ patterns: [UInt64], _ body: (Int, FrontEnd.Features) throws -> Void) rethrows {
        var silent: [Int] = []
        var byOffset: [Int: [(index: Int, pattern: UInt64, frames: Int)]] = [:]
        for (i, p) in patterns.enumerated() {
            guard let g = grid(of: p & audibleComponents) else {
                silent.append(i)
                continue
            }
            byOffset[g.offset, default: []].append((i, p & audibleComponents, g.frameCount))
        }
        if !silent.isEmpty {
            let zero = frontEnd.silence(sampleCount: components.sampleCount)
            for i in silent { try body(i, zero) }
        }
        for offset in byOffset.keys.sorted() {
            guard let group = byOffset[offset] else { continue }
            let ordered = group.sorted { Self.grayRank($0.pattern) < Self.grayRank($1.pattern) }
            try composeGrid(offset: offset, ordered, body)
        }
    }

    /// Position of a pattern in the binary-reflected Gray code (the inverse Gray transform), so
    /// patterns sorted by it differ from their predecessor in one bit when the set is complete.
    static func grayRank(_ g: UInt64) -> UInt64 {
        var n = g
        var shift: UInt64 = 1
        while shift < 64 {
            n ^= n >> shift
            shift <<= 1
        }
        return n
    }

    private func composeGrid(
        offset: Int, _ ordered: [(index: Int, pattern: UInt64, frames: Int)], _ body: (Int, FrontEnd.Features) throws -> Void
    ) rethrows {
        let bins = frontEnd.binCount
        let maxFrames = ordered.map(\.frames).max() ?? 0
        var spectrum = [Double](repeating: 0, count: 2 * bins * maxFrames)
        var waveform = [Double](repeating: 0, count: components.sampleCount)
        var current: UInt64 = 0
        for item in ordered {
            var changed = current ^ item.pattern
            while changed != 0 {
                let c = changed.trailingZeroBitCount
                changed &= changed - 1
                let sign: Double = item.pattern & (1 << UInt64(c)) != 0 ? 1 : -1
                accumulate(component: c, offset: offset, frameLimit: maxFrames, sign: sign, into: &spectrum)
                accumulate(waveformOf: c, sign: sign, into: &waveform)
            }
            current = item.pattern
            let peak = waveform.withUnsafeBufferPointer { PeakNormalisation.peak($0) }
            let scale: Double = conditioning.normalises ? 1 / Double(peak) : 1
            let spectrogram = spectrum.withUnsafeBufferPointer { s in
                s.baseAddress.map { frontEnd.features(spectra: $0, frameCount: item.frames, scale: scale) }
            }
            try body(item.index, spectrogram ?? frontEnd.silence(sampleCount: components.sampleCount))
        }
    }

    private func accumulate(waveformOf c: Int, sign: Double, into waveform: inout [Double]) {
        guard let support = supports[c] else { return }
        components.waveforms[c].withUnsafeBufferPointer { w in
            waveform.withUnsafeMutableBufferPointer { acc in
                for i in support { acc[i] += sign * Double(w[i]) }
            }
        }
    }

    private func accumulate(component c: Int, offset: Int, frameLimit: Int, sign: Double, into spectrum: inout [Double]) {
        let cached = componentSpectrum(c, offset: offset)
        let stride = 2 * frontEnd.binCount
        let count = min(cached.frameCount, max(0, frameLimit - cached.firstFrame))
        guard count > 0 else { return }
        cached.values.withUnsafeBufferPointer { v in
            spectrum.withUnsafeMutableBufferPointer { acc in
                let base = cached.firstFrame * stride
                for i in 0..<(count * stride) { acc[base + i] += sign * v[i] }
            }
        }
    }

    /// The cached spectrum of component `c` on the grid starting at `offset`: only the frames
    /// that overlap the component's non-zero samples are transformed.
    private func componentSpectrum(_ c: Int, offset: Int) -> ComponentSpectrum {
        let key = CacheKey(component: c, offset: offset)
        if let hit = spectra[key] { return hit }
        let empty = ComponentSpectrum(firstFrame: 0, frameCount: 0, values: [])
        guard let support = supports[c] else { return empty }
        let total = frontEnd.frameCount(sampleCount: components.sampleCount - offset)
        let frames = frontEnd.frames(touching: support, offset: offset, frameCount: total, sampleCount: components.sampleCount)
        let values = components.waveforms[c].withUnsafeBufferPointer { w in
            frontEnd.spectra(of: w, offset: offset, frames: frames)
        }
        let entry = ComponentSpectrum(firstFrame: frames.lowerBound, frameCount: frames.count, values: values)
        spectra[key] = entry
        return entry
    }
}

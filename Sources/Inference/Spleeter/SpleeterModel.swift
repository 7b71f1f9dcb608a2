import CDNNL
import Core
import DSP
import Foundation
import Synchronization

/// spleeter's separation as its `Separator` runs it with MWF off (model/__init__.py:
/// `_build_stft_feature`, `_build_masks`, `_extend_mask`, `_inverse_stft`), on 44.1 kHz stereo:
///
/// 1. The waveform gets 4096 zeros in front; STFT with a periodic Hann window of 4096, hop 1024,
///    `pad_end`: ⌈(N + 4096)/1024⌉ frames, the last ones zero-padded.
/// 2. Magnitudes of bins 0…1023, zero-padded in time to a multiple of 512 frames, go through
///    every instrument's U-Net one 512-frame segment at a time; estimate = mask × magnitude.
/// 3. Ratio masks (est_i² + ε/K) / (Σ_j est_j² + ε), ε = 1e-10, extended with zeros to 2049 bins,
///    multiply the complex mixture STFT.
/// 4. Inverse STFT: overlap-add of irfft(frame) × window, × 2/3, cropped to [4096, 4096 + N).
///
/// The STFT is computed per segment, so memory grows with the input only by the output stems.
public final class SpleeterModel: Sendable {
    public let weights: SpleeterWeights
    private let forwardFFT: RealFFT
    private let inverseFFT: InverseRealFFT
    /// The periodic Hann window (TensorFlow's `hann_window(periodic=True)`).
    private let window: [Float]
    /// Built U-Net plans and segment buffers, one workspace per concurrent caller.
    private let workspaces = Mutex<[Workspace]>([])
    /// Entered while `prepareInBackground` builds a workspace.
    private let preparing = DispatchGroup()
    /// Workspaces built so far (for tests: a separation after `prepareInBackground` builds none).
    let workspacesBuilt = Atomic<Int>(0)

    /// The longest input accepted: one hour at 44.1 kHz.
    public static let maxFrames = 3600 * SpleeterParameters.sampleRate

    public init(weights: SpleeterWeights) {
        self.weights = weights
        let n = SpleeterParameters.frameLength
        forwardFFT = RealFFT(size: n)
        inverseFFT = InverseRealFFT(size: n)
        window = (0..<n).map { Float(0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(n))) }
    }

    public var instruments: [String] { weights.instruments }

    /// Builds the U-Net plans now (otherwise the first separation does), so that a benchmark can
    /// report the model load apart from the separations.
    public func prepare() throws(SpleeterError) {
        let workspace = try takeWorkspace()
        workspaces.withLock { $0.append(workspace) }
    }

    /// Builds one workspace on a background thread (see `Separator.prepareInBackground`). A
    /// separation that finds none waits for it rather than build a second; if it fails, the
    /// separation builds its own and reports the error.
    ///
    /// The build runs on a thread of its own, not on a shared pool: separations that wait for it
    /// block their threads, and a pool as wide as the cores could then have none left to run it.
    public func prepareInBackground() {
        preparing.enter()
        let thread = Thread { [self] in
            defer { preparing.leave() }
            if let workspace = try? takeWorkspace(waiting: false) { workspaces.withLock { $0.append(workspace) } }
        }
        thread.name = "spleeter-prepare"
        thread.start()
    }

    /// Separates two equally long channels at 44.1 kHz into one stereo pair per instrument (in
    /// `instruments` order), each as long as the input, on `threads` threads.
    public func separate(_ channels: [[Float]], threads: Int) throws(SpleeterError) -> [[[Float]]] {
        guard channels.count == SpleeterParameters.channels, channels[0].count == channels[1].count else {
            throw .invalidInput(reason: "the input must be two channels of equal length")
        }
        let count = channels[0].count
        guard count >= 1, count <= Self.maxFrames else {
            throw .invalidInput(reason: "the input has \(count) frames; 1…\(Self.maxFrames) (one hour at 44.1 kHz) are accepted")
        }
        for channel in channels where channel.contains(where: { !$0.isFinite }) {
            throw .invalidInput(reason: "the input has a NaN or infinite sample")
        }
        let n = SpleeterParameters.frameLength
        let hop = SpleeterParameters.frameStep
        let t = SpleeterParameters.segmentFrames
        let frames = (count + n + hop - 1) / hop
        let segments = (frames + t - 1) / t
        // The zero-prefixed, end-padded signal of every channel (what the frames read).
        let paddedLength = (frames - 1) * hop + n
        let padded = channels.map { channel in
            var p = HugePages.zeroedFloats(count: paddedLength)
            p.replaceSubrange(n..<(n + count), with: channel)
            return p
        }
        let instrumentCount = instruments.count
        // The stems, already cropped to [4096, 4096 + N) of the overlap-add (`_inverse_stft`).
        var outputs = (0..<instrumentCount).map { _ in (0..<2).map { _ in HugePages.zeroedFloats(count: count) } }
        let workspace = try takeWorkspace()
        defer { workspaces.withLock { $0.append(workspace) } }
        let set = workspace.plans
        for s in 0..<segments {
            let first = s * t
            let used = min(t, frames - first)
            workspace.segment.transform(
                padded, firstFrame: first, frames: used, fft: forwardFFT, window: window, threads: threads)
            try runNetworks(set, on: &workspace.segment, threads: threads)
            workspace.segment.resynthesise(
                into: &outputs, firstFrame: first, frames: used, inverse: inverseFFT, window: window, threads: threads)
        }
        let scale = SpleeterParameters.windowCompensation
        var finite = true
        for i in outputs.indices {
            for c in 0..<2 {
                outputs[i][c].withUnsafeMutableBufferPointer { out in
                    for k in out.indices {
                        out[k] *= scale
                        finite = finite && out[k].isFinite
                    }
                }
            }
            guard finite else { throw .network("\(instruments[i]): the network produced a NaN or infinite sample") }
        }
        return outputs
    }

    /// Every instrument's U-Net on the segment (and, for `softmax_unet`, the softmax of their
    /// logits across instruments), then estimate = mask × magnitude (Keras `Multiply`). With several threads and at least two instruments, the instruments run in
    /// parallel on one thread each (as TensorFlow's inter-op threads run them): no barrier
    /// between cores inside every layer. Otherwise one after another on all threads.
    private func runNetworks(_ set: [UNetPlan], on segment: inout SegmentBuffers, threads: Int) throws(SpleeterError) {
        let count = set.count
        let parallel = threads > 1 && count >= 2
        let inner = parallel ? max(1, threads / count) : threads
        let size = segment.magnitudes.count
        let failures = Mutex<[String]>([])
        let names = instruments
        let softmax = weights.architecture.softmaxMasks
        segment.magnitudes.withUnsafeMutableBufferPointer { magnitudes in
            segment.estimates.withUnsafeMutableBufferPointer { estimates in
                guard let input = magnitudes.baseAddress, let output = estimates.baseAddress else { return }
                let source = UnsafeSendable(input)
                let destination = UnsafeSendable(output)
                ParallelFor.run(iterations: count, threads: parallel ? min(threads, count) : 1) { i in
                    let out = destination.pointer + i * size
                    do throws(OneDNNError) {
                        try OneDNN.withThreads(inner) { () throws(OneDNNError) in
                            try FlushDenormals.during(threads: inner) { () throws(OneDNNError) in
                                try set[i].run(
                                    input: UnsafeBufferPointer(start: source.pointer, count: size),
                                    output: UnsafeMutableBufferPointer(start: out, count: size), threads: inner)
                            }
                        }
                    } catch {
                        failures.withLock { $0.append("\(names[i]): \(error)") }
                    }
                }
                if softmax { Self.softmaxAcrossInstruments(output, instruments: count, size: size) }
                for i in 0..<count {
                    let estimate = output + i * size
                    for q in 0..<size { estimate[q] *= input[q] }
                }
            }
        }
        if let failure = failures.withLock({ $0.first }) { throw .network(failure) }
    }

    /// `Softmax(axis=4)` of `softmax_unet`: per element, the instruments' logits → shares.
    private static func softmaxAcrossInstruments(_ logits: UnsafeMutablePointer<Float>, instruments: Int, size: Int) {
        for q in 0..<size {
            var top = -Float.infinity
            for i in 0..<instruments { top = max(top, logits[i * size + q]) }
            var total: Float = 0
            for i in 0..<instruments {
                let e = Float(exp(Double(logits[i * size + q] - top)))
                logits[i * size + q] = e
                total += e
            }
            for i in 0..<instruments { logits[i * size + q] /= total }
        }
    }

    private func takeWorkspace(waiting: Bool = true) throws(SpleeterError) -> Workspace {
        if let workspace = workspaces.withLock({ $0.popLast() }) { return workspace }
        if waiting {
            preparing.wait()
            if let workspace = workspaces.withLock({ $0.popLast() }) { return workspace }
        }
        let workspace = Workspace(plans: try buildPlans(), segment: SegmentBuffers(instruments: instruments.count))
        workspacesBuilt.add(1, ordering: .relaxed)
        return workspace
    }

    private func buildPlans() throws(SpleeterError) -> [UNetPlan] {
        do {
            return try weights.networks.map { network throws(OneDNNError) in
                try UNetPlan(
                    weights: network, architecture: weights.architecture, frames: SpleeterParameters.segmentFrames,
                    bins: SpleeterParameters.bins)
            }
        } catch { throw .network("\(error)") }
    }
}

/// What one separation at a time needs: the instruments' plans and the segment's buffers (kept
/// between separations: allocating their 44 MB for every file cost 6–16 ms of page faults).
private final class Workspace: @unchecked Sendable {
    let plans: [UNetPlan]
    var segment: SegmentBuffers

    init(plans: [UNetPlan], segment: SegmentBuffers) {
        self.plans = plans
        self.segment = segment
    }
}

/// One segment's spectra: the complex STFT of both channels (frames × 2049, interleaved
/// re/im), the U-Net input (512 × 1024 × 2 magnitudes, channels last) and each instrument's estimate.
///
/// A workspace reuses them from one separation to the next without clearing: `transform` writes
/// every frame of `spectra` and `magnitudes` (zeros past the signal's end), the networks every
/// estimate, and `resynthesise` reads only the frames of `frameOutputs` it has just written.
private struct SegmentBuffers {
    var spectra: [[Float]]
    var magnitudes: [Float]
    let instrumentCount: Int
    /// One channel's windowed inverse FFTs of every frame and instrument, before the overlap-add
    /// (kept between segments: allocating 16 MB per segment cost page faults).
    var frameOutputs: [Float]
    /// Instrument i's estimate at [i × 2 × plane, (i + 1) × 2 × plane).
    var estimates: [Float]

    static let fullBins = SpleeterParameters.frameLength / 2 + 1
    static let plane = SpleeterParameters.segmentFrames * SpleeterParameters.bins

    init(instruments: Int) {
        let t = SpleeterParameters.segmentFrames
        spectra = (0..<2).map { _ in HugePages.zeroedFloats(count: t * Self.fullBins * 2) }
        frameOutputs = HugePages.zeroedFloats(count: t * instruments * SpleeterParameters.frameLength)
        magnitudes = HugePages.zeroedFloats(count: 2 * Self.plane)
        estimates = HugePages.zeroedFloats(count: instruments * 2 * Self.plane)
        instrumentCount = instruments
    }

    /// STFT of `frames` frames from `firstFrame`, and the magnitudes of bins < 1024 (frames past
    /// the signal's end stay zero: `pad_and_partition`).
    mutating func transform(_ padded: [[Float]], firstFrame: Int, frames: Int, fft: RealFFT, window: [Float], threads: Int) {
        let n = SpleeterParameters.frameLength
        let hop = SpleeterParameters.frameStep
        let bins = SpleeterParameters.bins
        let fullBins = Self.fullBins
        for c in 0..<2 {
            spectra[c].withUnsafeMutableBufferPointer { spectrum in
                magnitudes.withUnsafeMutableBufferPointer { magnitude in
                    padded[c].withUnsafeBufferPointer { signal in
                        guard let spectrumBase = spectrum.baseAddress, let magnitudeBase = magnitude.baseAddress,
                            let signalBase = signal.baseAddress
                        else { return }
                        let spectrum = UnsafeSendable(spectrumBase)
                        let magnitude = UnsafeSendable(magnitudeBase)
                        let signal = UnsafeSendable(UnsafeMutablePointer(mutating: signalBase))
                        let window = window
                        ParallelFor.run(iterations: SpleeterParameters.segmentFrames, threads: threads) { t in
                            let out = spectrum.pointer + t * fullBins * 2
                            let mags = magnitude.pointer + t * bins * 2 + c
                            guard t < frames else {
                                out.update(repeating: 0, count: fullBins * 2)
                                for f in 0..<bins { mags[2 * f] = 0 }
                                return
                            }
                            let buffers = fft.makeBuffers()
                            let start = (firstFrame + t) * hop
                            window.withUnsafeBufferPointer { w in
                                for k in 0..<n { buffers.real[k] = signal.pointer[start + k] * w[k] }
                            }
                            fft.forward(buffers)
                            let complex = buffers.interleavedComplex
                            out.update(from: complex, count: fullBins * 2)
                            for f in 0..<bins {
                                let re = complex[2 * f]
                                let im = complex[2 * f + 1]
                                mags[2 * f] = (re * re + im * im).squareRoot()
                            }
                        }
                    }
                }
            }
        }
    }

    /// Ratio masks from the estimates, applied to the mixture's spectra (zero above bin 1023),
    /// inverse FFT × window, overlap-added into `outputs[instrument][channel]` (which hold the
    /// cropped stems: sample k is sample k + 4096 of the zero-prefixed signal).
    mutating func resynthesise(
        into outputs: inout [[[Float]]], firstFrame: Int, frames: Int, inverse: InverseRealFFT, window: [Float], threads: Int
    ) {
        let n = SpleeterParameters.frameLength
        let hop = SpleeterParameters.frameStep
        let bins = SpleeterParameters.bins
        let instruments = instrumentCount
        let size = 2 * Self.plane
        let epsilon = SpleeterParameters.epsilon
        let share = epsilon / Float(instruments)
        let scale = 1 / Float(n)
        let fullBins = Self.fullBins
        for c in 0..<2 {
            // Channels in turn, frames in parallel into a per-frame buffer, then overlap-add in order
            // (so the sums do not depend on the thread count).
            frameOutputs.withUnsafeMutableBufferPointer { frameBuffer in
                spectra[c].withUnsafeMutableBufferPointer { spectrum in
                    estimates.withUnsafeMutableBufferPointer { estimate in
                        window.withUnsafeBufferPointer { windowBuffer in
                            guard let frameBase = frameBuffer.baseAddress, let spectrumBase = spectrum.baseAddress,
                                let estimateBase = estimate.baseAddress, let windowBase = windowBuffer.baseAddress
                            else { return }
                            let frameBuffer = UnsafeSendable(frameBase)
                            let spectra = UnsafeSendable(spectrumBase)
                            let estimates = UnsafeSendable(estimateBase)
                            let window = UnsafeSendable(UnsafeMutablePointer(mutating: windowBase))
                            ParallelFor.run(iterations: frames, threads: threads) { t in
                                let buffers = inverse.makeBuffers()
                                withUnsafeTemporaryAllocation(of: Float.self, capacity: bins) { denominator in
                                    denominator.initialize(repeating: epsilon)
                                    for i in 0..<instruments {
                                        let e = estimates.pointer + i * size + t * bins * 2 + c
                                        for f in 0..<bins { denominator[f] += e[2 * f] * e[2 * f] }
                                    }
                                    // The reference sums the estimates' squares with tf.reduce_sum over a
                                    // stacked axis; the order of a two- to five-term sum changes float32
                                    // results by an ulp at most.
                                    let x = spectra.pointer + t * fullBins * 2
                                    for i in 0..<instruments {
                                        let complex = buffers.interleavedComplex
                                        let e = estimates.pointer + i * size + t * bins * 2 + c
                                        for f in 0..<bins {
                                            let mask = (e[2 * f] * e[2 * f] + share) / denominator[f]
                                            complex[2 * f] = x[2 * f] * mask
                                            complex[2 * f + 1] = x[2 * f + 1] * mask
                                        }
                                        for f in (2 * bins)..<(2 * fullBins) { complex[f] = 0 }
                                        inverse.inverse(buffers)
                                        let out = frameBuffer.pointer + (t * instruments + i) * n
                                        for k in 0..<n { out[k] = buffers.real[k] * scale * window.pointer[k] }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            // Overlap-add, frame by frame in order, keeping only samples [n, n + N) of the
            // zero-prefixed signal (the reference's crop).
            for t in 0..<frames {
                let start = (firstFrame + t) * hop - n
                for i in 0..<instruments {
                    let base = (t * instruments + i) * n
                    outputs[i][c].withUnsafeMutableBufferPointer { out in
                        frameOutputs.withUnsafeBufferPointer { frame in
                            let first = max(0, -start)
                            let last = min(n, out.count - start)
                            guard first < last else { return }
                            for k in first..<last { out[start + k] += frame[base + k] }
                        }
                    }
                }
            }
        }
    }
}

extension SpleeterModel {
    /// The oneDNN library version the network runs on (for benchmark records).
    public static var oneDNNVersion: String {
        guard let v = dnnl_version() else { return "?" }
        return "\(v.pointee.major).\(v.pointee.minor).\(v.pointee.patch)"
    }
}

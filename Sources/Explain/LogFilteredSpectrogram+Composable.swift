import DSP

/// madmom's log-filtered spectrogram (the RF-ResNet's input) as a composable front end: frames
/// read zeros past the signal, so a component only touches the frames that overlap it.
extension LogFilteredSpectrogram: ComposableFrontEnd {
    public var name: String { "logfiltspec:\(filterbank.bandCount)x\(config.modelInputFrames)" }
    public var defaultConditioning: SignalConditioning { .normalized }
    public var sampleRate: Int { config.sampleRate }
    public var binCount: Int { config.binCount }
    public var supportsTrimming: Bool { true }

    public func frameCount(sampleCount: Int) -> Int { FrameGrid(sampleCount: sampleCount, hop: config.hopSize).frameCount }

    public func frames(touching support: ClosedRange<Int>, offset: Int, frameCount: Int, sampleCount: Int) -> Range<Int> {
        let grid = FrameGrid(sampleCount: 0, hop: config.hopSize)
        var first = 0
        while first < frameCount, offset + grid.start(ofFrame: first) + config.frameSize <= support.lowerBound { first += 1 }
        var last = first
        while last < frameCount, offset + grid.start(ofFrame: last) <= support.upperBound { last += 1 }
        return first..<last
    }

    public func spectra(of signal: UnsafeBufferPointer<Float>, offset: Int, frames: Range<Int>) -> [Double] {
        windowedSpectra(of: signal, offset: offset, frames: frames).map { Double($0) }
    }

    public func features(spectra: UnsafePointer<Double>, frameCount: Int, scale: Double) -> Spectrogram {
        logFiltered(spectra: spectra, frameCount: frameCount, scale: scale)
    }
}

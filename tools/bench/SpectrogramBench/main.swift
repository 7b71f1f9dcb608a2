// Benchmark: stemtrace's log-filtered spectrogram of one 40-s clip on one thread (release build).
//
//   SpectrogramBench --audio FILE [--repeat 30] [--clip-out clip.wav] [--out spec.f32] [--planning wisdom|estimate|measure]
//
// Decodes FILE, down-mixes, resamples to 22 050 Hz and takes the 40-s excerpt exactly as ingest
// does; optionally writes that clip as a float WAV (so a Python peer can time the same input) and
// the 149 × T float32 result as raw little-endian bytes. Then times the spectrogram alone and prints
// one JSON line: {"impl":"stemtrace","median_ms":…,"min_ms":…,"plan_ms":…,"repeat":N,"bands":149,"frames":T};
// plan_ms is the time to build the processor, FFTW planning included (`--planning`: default the
// shipped wisdom every stage uses, `estimate` or `measure` for comparison).
import AudioIO
import DSP
import Foundation
import Pipeline

func argument(_ name: String) -> String? {
    let args = CommandLine.arguments
    guard let i = args.firstIndex(of: name), i + 1 < args.count else { return nil }
    return args[i + 1]
}

guard let audio = argument("--audio") else {
    FileHandle.standardError.write(
        Data("usage: SpectrogramBench --audio FILE [--repeat N] [--clip-out clip.wav] [--out spec.f32]\n".utf8))
    exit(64)
}
let repeats = max(1, Int(argument("--repeat") ?? "30") ?? 30)

do {
    let config = FrontEndConfig()
    let track = try PreparedTrack.load(path: audio, sampleRate: config.sampleRate)
    let excerpt = Excerpt.choose(
        total: track.mono.count, length: config.excerptSamples, sampleRate: config.sampleRate,
        policy: config.excerptPolicy)
    let clip = Array(track.mono[excerpt.range])
    if let clipOut = argument("--clip-out") {
        try AudioWriter.write(clip, channels: 1, sampleRate: config.sampleRate, format: .wavFloat, to: clipOut)
    }
    let planning: FFTPlanning =
        switch argument("--planning") {
        case "measure": .measure
        case "estimate": .estimate
        default: .shippedWisdom
        }
    let planStart = DispatchTime.now().uptimeNanoseconds
    let processor = LogFilteredSpectrogram(planning: planning)
    let planMs = Double(DispatchTime.now().uptimeNanoseconds - planStart) / 1e6
    var spec = try processor.compute(clip)  // warm-up
    var times: [Double] = []
    for _ in 0..<repeats {
        let t0 = DispatchTime.now().uptimeNanoseconds
        spec = try processor.compute(clip)
        times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
    }
    times.sort()
    if let out = argument("--out") {
        try spec.values.withUnsafeBytes { Data($0) }.write(to: URL(fileURLWithPath: out))
    }
    print(
        String(
            format:
                "{\"impl\":\"stemtrace\",\"median_ms\":%.3f,\"min_ms\":%.3f,\"plan_ms\":%.3f,\"repeat\":%d,\"bands\":%d,\"frames\":%d}",
            times[times.count / 2], times[0], planMs, times.count, spec.bandCount, spec.frameCount))
} catch {
    FileHandle.standardError.write(Data("SpectrogramBench: \(error)\n".utf8))
    exit(1)
}

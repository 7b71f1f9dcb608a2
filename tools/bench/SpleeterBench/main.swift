// Benchmark: the native spleeter's speed (release build), the counterpart of
// tools/bench/spleeter_tensorflow.py (same JSON).
//
//   SpleeterBench inputs --output DIR FILE...
//       writes each file's 40-s excerpt, prepared exactly as ingest does (mono, 22 050 Hz), then
//       resampled to 44.1 kHz (soxr HQ) and duplicated to stereo — what the network is given — as
//       a float WAV named after the file.
//   SpleeterBench time [--model FILE] [--threads T] [--repeat R] --json OUT WAV...
//       model load (weights read and checked), the warm-up (U-Net plans built — `prepare_seconds` —
//       then a first separation of 1 s of silence) and, per WAV, the median wall time of R
//       separations, × real time over all clips and the peak RSS.
import AudioIO
import DSP
import Foundation
import Inference
import Pipeline

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("SpleeterBench: \(message)\n".utf8))
    exit(1)
}

func option(_ args: [String], _ name: String) -> String? {
    guard let i = args.firstIndex(of: name), i + 1 < args.count else { return nil }
    return args[i + 1]
}

func positional(_ args: [String]) -> [String] {
    var files: [String] = []
    var i = 0
    while i < args.count {
        if args[i].hasPrefix("--") {
            i += 2
        } else {
            files.append(args[i])
            i += 1
        }
    }
    return files
}

func seconds(since start: UInt64) -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }

func peakRSSMiB() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard let mode = arguments.first else { fail("usage: SpleeterBench inputs|time …") }
let rest = Array(arguments.dropFirst())
let rate = SpleeterParameters.sampleRate

switch mode {
case "inputs":
    guard let output = option(rest, "--output") else { fail("inputs needs --output DIR") }
    try? FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
    let config = FrontEndConfig()
    for file in positional(rest) {
        do {
            let track = try PreparedTrack.load(path: file, sampleRate: config.sampleRate)
            let excerpt = Excerpt.choose(
                total: track.mono.count, length: config.excerptSamples, sampleRate: config.sampleRate,
                policy: config.excerptPolicy)
            let up = try Resampler(quality: .high).resample(Array(track.mono[excerpt.range]), from: config.sampleRate, to: rate)
            let interleaved = DecodedAudio.interleaved([up, up])
            let name = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent + ".wav"
            try AudioWriter.write(interleaved, channels: 2, sampleRate: rate, format: .wavFloat, to: output + "/" + name)
        } catch { fail("\(file): \(error)") }
    }
case "time":
    guard let json = option(rest, "--json") else { fail("time needs --json OUT") }
    let threads = Int(option(rest, "--threads") ?? "") ?? ProcessInfo.processInfo.activeProcessorCount
    let repeats = max(1, Int(option(rest, "--repeat") ?? "3") ?? 3)
    let modelURL = option(rest, "--model").map { URL(fileURLWithPath: $0) } ?? SpleeterWeightsLocation.twoStems()
    var clips: [(String, [[Float]])] = []
    for file in positional(rest) {
        do {
            let audio = try AudioDecoder.decode(path: file)
            guard audio.sampleRate == rate, audio.channelCount == 2 else { fail("\(file): not 44.1 kHz stereo") }
            clips.append((file, audio.channels()))
        } catch { fail("\(file): \(error)") }
    }
    var start = DispatchTime.now().uptimeNanoseconds
    let model: SpleeterModel
    do {
        model = SpleeterModel(
            weights: try SpleeterWeights(contentsOf: modelURL, makeCommand: SpleeterWeightsLocation.fetchCommand))
    } catch { fail("\(error)") }
    let load = seconds(since: start)
    start = DispatchTime.now().uptimeNanoseconds
    var prepare = 0.0
    do {
        try model.prepare()
        prepare = seconds(since: start)
        _ = try model.separate([[Float]](repeating: [Float](repeating: 0, count: rate), count: 2), threads: threads)
    } catch { fail("\(error)") }
    let warmup = seconds(since: start)
    var rows: [[String: Any]] = []
    var totalAudio = 0.0
    var totalTime = 0.0
    for (file, channels) in clips {
        var times: [Double] = []
        for _ in 0..<repeats {
            let t0 = DispatchTime.now().uptimeNanoseconds
            do { _ = try model.separate(channels, threads: threads) } catch { fail("\(file): \(error)") }
            times.append(seconds(since: t0))
        }
        let median = times.sorted()[times.count / 2]
        let audio = Double(channels[0].count) / Double(rate)
        totalAudio += audio
        totalTime += median
        rows.append(["file": URL(fileURLWithPath: file).lastPathComponent, "audio_seconds": audio, "seconds": median])
    }
    let medians = rows.compactMap { $0["seconds"] as? Double }.sorted()
    let result: [String: Any] = [
        "implementation": "stemtrace native (oneDNN \(SpleeterModel.oneDNNVersion))", "threads": threads, "load_seconds": load,
        "prepare_seconds": prepare, "warmup_seconds": warmup, "clips": rows,
        "median_clip_seconds": medians.isEmpty ? 0 : medians[medians.count / 2],
        "realtime_factor": totalTime > 0 ? totalAudio / totalTime : 0, "peak_rss_mib": peakRSSMiB(), "repeat": repeats,
    ]
    do {
        let data = try JSONSerialization.data(withJSONObject: result, options: [.prettyPrinted, .sortedKeys])
        try data.write(to: URL(fileURLWithPath: json))
    } catch { fail("\(json): \(error)") }
    print(
        String(
            format: "native: load %.2f s, warm-up %.2f s (plans %.3f s), median clip %.3f s, %.1f× real time, peak RSS %.0f MiB",
            load, warmup, prepare,
            medians.isEmpty ? 0 : medians[medians.count / 2], totalTime > 0 ? totalAudio / totalTime : 0, peakRSSMiB()))
default:
    fail("unknown mode \(mode); use inputs or time")
}

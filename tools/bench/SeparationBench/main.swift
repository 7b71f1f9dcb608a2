// Benchmark: the built-in bandsplit separator's speed in × real time (release build).
//
//   SeparationBench [--workers N] [--repeat R] FILE...
//
// Prepares each file's 40-s excerpt exactly as ingest does, then separates all excerpts R times
// with N parallel workers (default: all cores) and prints one JSON line with the audio seconds,
// the median wall time of the R rounds, × real time overall and per worker, and the max
// |sum of stems − excerpt| seen.
import DSP
import Foundation
import Pipeline
import Separation

func option(_ name: String) -> String? {
    let args = CommandLine.arguments
    guard let i = args.firstIndex(of: name), i + 1 < args.count else { return nil }
    return args[i + 1]
}

let args = Array(CommandLine.arguments.dropFirst())
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
guard !files.isEmpty else {
    FileHandle.standardError.write(Data("usage: SeparationBench [--workers N] [--repeat R] FILE...\n".utf8))
    exit(64)
}
let workers = max(1, Int(option("--workers") ?? "") ?? ProcessInfo.processInfo.activeProcessorCount)
let repeats = max(1, Int(option("--repeat") ?? "3") ?? 3)
_ = BLASThreading.singleThreaded

let config = FrontEndConfig()
var clips: [[Float]] = []
for file in files {
    do {
        let track = try PreparedTrack.load(path: file, sampleRate: config.sampleRate)
        let excerpt = Excerpt.choose(
            total: track.mono.count, length: config.excerptSamples, sampleRate: config.sampleRate,
            policy: config.excerptPolicy)
        clips.append(Array(track.mono[excerpt.range]))
    } catch {
        FileHandle.standardError.write(Data("SeparationBench: \(error)\n".utf8))
        exit(1)
    }
}
let separator = BandsplitSeparator()
let audioSeconds = Double(clips.reduce(0) { $0 + $1.count }) / Double(config.sampleRate)
let allClips = clips

/// Separates every clip with `workers` tasks; returns the wall time and the worst stem-sum error.
func round() async -> (Double, Float) {
    let start = DispatchTime.now().uptimeNanoseconds
    let worst = await withTaskGroup(of: Float.self) { group in
        var next = 0
        var worst: Float = 0
        func add() {
            guard next < allClips.count else { return }
            let clip = allClips[next]
            next += 1
            group.addTask {
                let s = separator.split(clip, sampleRate: 22050)
                var e: Float = 0
                for j in 0..<clip.count { e = max(e, abs(s.vocals[j] + s.drums[j] + s.bass[j] + s.other[j] - clip[j])) }
                return e
            }
        }
        for _ in 0..<workers { add() }
        while let e = await group.next() {
            worst = max(worst, e)
            add()
        }
        return worst
    }
    return (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, worst)
}

_ = await round()  // warm-up (FFTW plans, page faults)
var times: [Double] = []
var worst: Float = 0
for _ in 0..<repeats {
    let (t, e) = await round()
    times.append(t)
    worst = max(worst, e)
}
times.sort()
let median = times[times.count / 2]
print(
    String(
        format:
            "{\"impl\":\"bandsplit\",\"clips\":%d,\"audio_s\":%.1f,\"workers\":%d,\"median_wall_s\":%.3f,\"x_real_time\":%.1f,\"x_real_time_per_worker\":%.1f,\"max_sum_error\":%.2e}",
        clips.count, audioSeconds, workers, median, audioSeconds / median, audioSeconds / median / Double(workers), Double(worst))
)

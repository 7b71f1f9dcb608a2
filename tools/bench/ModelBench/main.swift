// Benchmark: OpenBLAS sgemm peak and the RF-ResNet forward pass (release build).
//
//   ModelBench --weights W.safetensors [--repeat N] [--threads 1,2] [--batches 1,8] [--profile]
//              [--profile-batch B] [--im2col]
//
// Prints one JSON line for the sgemm peak per thread count (2048³, median of 5) and one per
// (batch, threads) forward configuration: median ms, GFLOP/s (32.2296 GFLOP per 1×149×1252 item,
// the reference's count) and the fraction of the measured sgemm peak. `--profile` adds, per
// thread count, the median time between the forward pass's named intermediates over N runs at
// batch `--profile-batch` (default 1) after a warm-up run; `--im2col` keeps every convolution on
// im2col (no oneDNN Winograd).
import COpenBLAS
import Core
import Foundation
import Inference
import Store

func option(_ name: String) -> String? {
    let args = CommandLine.arguments
    guard let i = args.firstIndex(of: name), i + 1 < args.count else { return nil }
    return args[i + 1]
}

func median(_ runs: Int, _ body: () throws -> Void) rethrows -> Double {
    var times: [Double] = []
    for _ in 0..<runs {
        let t0 = DispatchTime.now().uptimeNanoseconds
        try body()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
    }
    return times.sorted()[runs / 2]
}

AllocatorPolicy.retainFreedBlocks()  // as the stemtrace executable does

// musicnn: `ModelBench --musicnn INPUT.safetensors [--repeat N] [--threads 1,2]` times the bundled
// MSD_musicnn network (no front end) on the tensor `input_batch` [patches, 187, 96] — as one batch,
// as `tag` runs it, and one patch at a time, as musicnn 0.1.0's extractor does — median of N.
if let inputPath = option("--musicnn") {
    do {
        let tensors = try Safetensors.read(contentsOf: URL(fileURLWithPath: inputPath))
        guard let batch = tensors["input_batch"], batch.shape.count == 3 else {
            throw ModelError.inputShape(model: "musicnn", reason: "\(inputPath) has no 3-D tensor input_batch [patches, 187, 96]")
        }
        let values = try batch.floats()
        let patches = try MusicnnPatches(values: values, count: batch.shape[0])
        let single = try (0..<patches.count).map { i in
            try MusicnnPatches(
                values: Array(values[(i * MusicnnFrontEnd.patchSize)..<((i + 1) * MusicnnFrontEnd.patchSize)]), count: 1)
        }
        let model = try MusicnnModel()
        let repeats = max(1, Int(option("--repeat") ?? "7") ?? 7)
        for threads in (option("--threads") ?? "1,2").split(separator: ",").compactMap({ Int($0) }) {
            _ = model.predict(patches, threads: threads)  // warm-up
            let whole = median(repeats) { _ = model.predict(patches, threads: threads) }
            let loop = median(repeats) { for p in single { _ = model.predict(p, threads: threads) } }
            print(
                String(
                    format: "{\"impl\":\"stemtrace\",\"model\":\"musicnn\",\"patches\":%d,\"threads\":%d,"
                        + "\"batch_ms\":%.1f,\"one_at_a_time_ms\":%.1f}", patches.count, threads, whole * 1000, loop * 1000))
        }
    } catch {
        FileHandle.standardError.write(Data("ModelBench: \(error)\n".utf8))
        exit(1)
    }
    exit(0)
}

guard let weightsPath = option("--weights") else {
    FileHandle.standardError.write(
        Data("usage: ModelBench --weights W.safetensors [--repeat N] [--threads 1,2] [--batches 1,8]\n".utf8))
    exit(64)
}
let repeats = max(1, Int(option("--repeat") ?? "5") ?? 5)
let threadCounts = (option("--threads") ?? "1,2").split(separator: ",").compactMap { Int($0) }
let batches = (option("--batches") ?? "1,8").split(separator: ",").compactMap { Int($0) }
let flopsPerItem = 32.229_628_444e9

do {
    let model = try RFResNet(
        weights: Safetensors.read(contentsOf: URL(fileURLWithPath: weightsPath)),
        winograd: !CommandLine.arguments.contains("--im2col"))
    var peak: [Int: Double] = [:]
    let n = 2048
    let a = [Float](repeating: 0.5, count: n * n)
    let b = a
    var c = [Float](repeating: 0, count: n * n)
    for threads in threadCounts {
        openblas_set_num_threads(Int32(threads))
        let seconds = median(5) {
            cblas_sgemm(
                CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(n), Int32(n), 1, a, Int32(n), b, Int32(n), 0, &c,
                Int32(n))
        }
        peak[threads] = 2 * pow(Double(n), 3) / seconds / 1e9
        print(String(format: "{\"op\":\"sgemm %d^3\",\"threads\":%d,\"gflops_per_s\":%.1f}", n, threads, peak[threads] ?? 0))
    }
    if CommandLine.arguments.contains("--profile") {
        // Time between the forward pass's named intermediates (a coarse per-layer profile).
        let batch = Int(option("--profile-batch") ?? "1") ?? 1
        let input = FeatureMap(
            batch: batch, channels: 1, height: 149, width: 1252,
            values: [Float](repeating: 0.5, count: batch * 149 * 1252))
        for threads in threadCounts {
            _ = try model.forward(input, threads: threads)  // warm-up (oneDNN primitives, buffers)
            var names: [String] = []
            var times: [String: [Double]] = [:]
            for _ in 0..<repeats {
                var last = DispatchTime.now().uptimeNanoseconds
                _ = try model.forward(input, threads: threads) { name, _ in
                    let now = DispatchTime.now().uptimeNanoseconds
                    if times[name] == nil { names.append(name) }
                    times[name, default: []].append(Double(now - last) / 1e6)
                    last = DispatchTime.now().uptimeNanoseconds
                }
            }
            let medians = names.map { name in (name, (times[name] ?? [0]).sorted()[(times[name]?.count ?? 1) / 2]) }
            print(
                "profile batch=\(batch) threads=\(threads) (median of \(repeats)): "
                    + medians.map { String(format: "%@ %.1f", $0.0, $0.1) }.joined(separator: ", "))
        }
    }
    for batch in batches {
        var state: UInt32 = 1
        let input = FeatureMap(
            batch: batch, channels: 1, height: 149, width: 1252,
            values: (0..<(batch * 149 * 1252)).map { _ in
                state = state &* 1_664_525 &+ 1_013_904_223
                return Float(state % 1000) / 400
            })
        for threads in threadCounts {
            _ = try model.forward(input, threads: threads)  // warm-up
            let seconds = try median(batch == 1 ? repeats : max(1, repeats / 2)) {
                _ = try model.forward(input, threads: threads)
            }
            let gflops = flopsPerItem * Double(batch) / seconds / 1e9
            print(
                String(
                    format:
                        "{\"impl\":\"stemtrace\",\"batch\":%d,\"threads\":%d,\"median_ms\":%.1f,\"gflops_per_s\":%.1f,\"fraction_of_sgemm_peak\":%.2f}",
                    batch, threads, seconds * 1000, gflops, gflops / (peak[threads] ?? gflops)))
        }
    }
} catch {
    FileHandle.standardError.write(Data("ModelBench: \(error)\n".utf8))
    exit(1)
}

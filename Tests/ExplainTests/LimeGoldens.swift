import Core
import Foundation
import Inference
import Store
import TestSupport
import Testing

/// The audioLIME goldens in Tests/Fixtures/lime (copied from the shared reference data, see
/// LIME.md there): the safetensors tensors and the manifest, loaded once.
enum LimeGoldens {
    static let tensors = Result { try Safetensors.read(contentsOf: Fixtures.url("lime/lime_goldens.safetensors")) }
    static let parsedCases = Result { try loadCases() }

    static func manifest() throws -> [String: Any] {
        // Python's json writes bare NaN (complexity of an all-zero fit), which JSON does not allow.
        let text = try String(contentsOf: Fixtures.url("lime/manifest.json"), encoding: .utf8)
            .replacing(/([\s:\[,])NaN([\s,\]}])/) { "\($0.1)null\($0.2)" }
        guard let json = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw GoldenError.malformed("manifest.json is not a JSON object")
        }
        return json
    }

    enum GoldenError: Error { case malformed(String) }

    /// One case of `manifest["cases"]` with its tensors.
    struct Case: Sendable {
        let name: String
        let componentCount: Int
        let rowCount: Int
        let targetCount: Int
        let numSamples: String
        let warnings: [String]
        let mask: [Int64]
        let labels: [Float]
        let distances: [Double]
        let kernelWeights: [Double]
        let coef: [Double]
        let intercept: [Double]
        let score: [Double]
        let localPrediction: [Double]
        let complexity: [Double]
        let localExpOrder: [Int64]
        let featureSelectionOrder: [Int64]
        let topPositive: [Int64]

        func coefficients(target t: Int) -> [Double] { Array(coef[(t * componentCount)..<((t + 1) * componentCount)]) }
        func labels(target t: Int) -> [Float] { (0..<rowCount).map { labels[$0 * targetCount + t] } }
        func order(_ values: [Int64], target t: Int) -> [Int] {
            values[(t * componentCount)..<((t + 1) * componentCount)].map { Int($0) }
        }
    }

    static func tensor(_ name: String) throws -> Tensor {
        guard let t = try tensors.get()[name] else { throw GoldenError.malformed("no tensor \(name)") }
        return t
    }

    /// Every case named in the manifest, sorted by name (parsed once).
    static func cases() throws -> [Case] { try parsedCases.get() }

    private static func loadCases() throws -> [Case] {
        guard let entries = try manifest()["cases"] as? [String: [String: Any]] else {
            throw GoldenError.malformed("manifest has no cases")
        }
        return try entries.keys.sorted().map { name in
            let entry = entries[name] ?? [:]
            guard let d = entry["n_components"] as? Int, let rows = entry["n_rows"] as? Int,
                let targets = entry["n_targets"] as? Int
            else { throw GoldenError.malformed("\(name): sizes missing") }
            let samples = (entry["num_samples"] as? String) ?? "\(entry["num_samples"] ?? "")"
            return Case(
                name: name, componentCount: d, rowCount: rows, targetCount: targets, numSamples: samples,
                warnings: entry["warnings_seen"] as? [String] ?? [],
                mask: try tensor("\(name).mask").int64s(), labels: try tensor("\(name).labels").floats(),
                distances: try tensor("\(name).distances").doubles(),
                kernelWeights: try tensor("\(name).kernel_weights").doubles(), coef: try tensor("\(name).coef").doubles(),
                intercept: try tensor("\(name).intercept").doubles(), score: try tensor("\(name).score").doubles(),
                localPrediction: try tensor("\(name).local_pred").doubles(),
                complexity: try tensor("\(name).complexity_entropy").doubles(),
                localExpOrder: try tensor("\(name).local_exp_order").int64s(),
                featureSelectionOrder: try tensor("\(name).feature_selection_order").int64s(),
                topPositive: try tensor("\(name).top_positive_component").int64s())
        }
    }

    /// `manifest["random_baseline"]`: per entry, the number of components and the statistics.
    struct BaselineEntry {
        let key: String
        let componentCount: Int
        let seed: UInt32
        let mean1000: Double
        let std1000: Double
        let meanHighSample: Double
        let stdHighSample: Double
        let maxEntropy: Double
        let suggestedMeanTolerance: Double
        let suggestedStdTolerance: Double
    }

    static func baselineEntries() throws -> [BaselineEntry] {
        guard let entries = try manifest()["random_baseline"] as? [String: [String: Any]] else {
            throw GoldenError.malformed("manifest has no random_baseline")
        }
        return try entries.keys.sorted().map { key in
            let e = entries[key] ?? [:]
            guard let d = Int(key.dropFirst()), let seed = e["seed_1000"] as? Int, let mean = e["mean_1000"] as? Double,
                let std = e["std_1000_ddof0"] as? Double, let meanHigh = e["mean_high_sample"] as? Double,
                let stdHigh = e["std_high_sample"] as? Double, let maxH = e["max_entropy_ln_d"] as? Double,
                let tolMean = e["suggested_tolerance_mean_for_1000_draws"] as? Double,
                let tolStd = e["suggested_tolerance_std_for_1000_draws"] as? Double
            else { throw GoldenError.malformed("random_baseline \(key) is incomplete") }
            return BaselineEntry(
                key: key, componentCount: d, seed: UInt32(seed), mean1000: mean, std1000: std, meanHighSample: meanHigh,
                stdHighSample: stdHigh, maxEntropy: maxH, suggestedMeanTolerance: tolMean, suggestedStdTolerance: tolStd)
        }
    }
}

/// The largest absolute difference between two float64 arrays (NaN against NaN counts as equal,
/// NaN against a number as infinite).
func maxAbsDifference(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count, "length \(a.count) vs \(b.count)")
    var worst = 0.0
    for (x, y) in zip(a, b) {
        if x.isNaN && y.isNaN { continue }
        let e = x.isNaN || y.isNaN ? Double.infinity : abs(x - y)
        worst = max(worst, e)
    }
    return worst
}

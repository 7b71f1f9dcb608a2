import Core
import Foundation
import Inference

/// spleeter weights for tests: the 2-stem model `tools/fetch_spleeter` converts into the cache
/// (tools/test runs tools/setup, which runs it), and files derived from it.
public enum SpleeterFixtures {
    /// The converted 2-stem file; a test that needs it fails naming the command when it is absent.
    public static func twoStemsURL() throws -> URL {
        let url = SpleeterWeightsLocation.twoStems()
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw FixtureError.missing("\(url.path) is missing: run tools/fetch_spleeter (tools/setup runs it)")
        }
        return url
    }

    public static func twoStems() throws -> SpleeterModel {
        SpleeterModel(
            weights: try SpleeterWeights(contentsOf: try twoStemsURL(), makeCommand: SpleeterWeightsLocation.fetchCommand))
    }

    /// Writes a copy of the 2-stem file with only the instruments `keep` (renamed by `rename`),
    /// for tests of instrument counts and names.
    public static func derived(keep: [String], rename: [String: String] = [:], to url: URL) throws {
        let (tensors, metadata) = try Safetensors.decodeWithMetadata(try Data(contentsOf: try twoStemsURL()))
        var kept: [String: Tensor] = [:]
        for (name, tensor) in tensors {
            let instrument = String(name.prefix { $0 != "/" })
            guard keep.contains(instrument) else { continue }
            kept[(rename[instrument] ?? instrument) + name.dropFirst(instrument.count)] = tensor
        }
        var meta = metadata
        meta["spleeter.instruments"] = keep.map { rename[$0] ?? $0 }.joined(separator: ",")
        try Safetensors.write(kept, metadata: meta, to: url)
    }

    public enum FixtureError: Error, CustomStringConvertible {
        case missing(String)
        public var description: String {
            switch self {
            case let .missing(m): m
            }
        }
    }

    /// A 22 050 Hz test excerpt with a voice-like part (a vibrato tone with formant-like
    /// harmonics) over a bass line and noise bursts: something for every stem.
    public static func excerpt(seconds: Double = 3, sampleRate: Int = 22_050) -> [Float] {
        let n = Int(seconds * Double(sampleRate))
        var rng = SplitMix64(seed: 7)
        return (0..<n).map { k in
            let t = Double(k) / Double(sampleRate)
            let f0 = 220 * (1 + 0.01 * sin(2 * .pi * 5 * t))
            var voice = 0.0
            for h in 1...8 { voice += sin(2 * .pi * f0 * Double(h) * t) / Double(h) }
            let bass = 0.3 * sin(2 * .pi * 55 * t)
            let beat = t.truncatingRemainder(dividingBy: 0.5) < 0.05 ? 0.4 * (rng.nextUnitInterval() * 2 - 1) : 0
            return Float(0.2 * voice + bass + beat)
        }
    }
}

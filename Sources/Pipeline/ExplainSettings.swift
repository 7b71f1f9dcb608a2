import DSP
import Explain
import Foundation
import Models
import Store

/// Everything that shapes an explanation, recorded (as canonical JSON, hashed into the config id)
/// with every result so a different setting adds rows beside the old ones.
public struct ExplainSettings: Sendable, Codable, Equatable {
    /// Which targets to explain: the 7 mid-level concepts, the 2 emotion outputs, or all.
    public enum TargetSelection: String, Sendable, Codable, CaseIterable {
        case midlevel, emotion, all

        func includes(_ target: ExplainTarget) -> Bool {
            switch self {
            case .all: true
            case .midlevel: target.kind == .concept
            case .emotion: target.kind == .output
            }
        }
    }

    public var targets: TargetSelection = .all
    /// A separator id or name prefix; nil picks the store's only separator.
    public var separator: String?
    /// nil: the front end's default (normalized for the RF-ResNet, raw for musicnn).
    public var composition: SignalConditioning?
    public var segments = 1
    /// Masks are exhaustive when 2^k ≤ this limit (audioLIME: 2^10).
    public var exhaustiveLimit = 1 << 10
    /// Masks drawn when not exhaustive.
    public var samples = 1000
    public var seed: UInt64 = 0
    /// Perturbations per forward pass.
    public var batchSize = 1
    /// Excerpts explained at once, each model pass on cores / lanes threads. nil: one per core
    /// when the model computes in this process (`PerturbationModel.computesInProcess`), else 1.
    /// Measured with the RF-ResNet (docs/BENCHMARKS.md): two single-thread passes side by side
    /// do more per second than one pass on two threads, whose late small layers and
    /// memory-bound epilogues scale worst. Results do not depend on it.
    public var lanes: Int?

    public init() {}

    /// "exhaustive" when 2^k masks fit the limit, else "sampled" (`MaskSet.forExplanation`).
    func sampling(componentCount k: Int) -> String {
        MaskSet.isExhaustive(componentCount: k, exhaustiveLimit: exhaustiveLimit) ? "exhaustive" : "sampled"
    }

    /// The settings that change results (batch size and target selection do not), as recorded.
    func configuration(
        modelId: String, separatorId: String, stems: [String], frontEnd: String, composition: SignalConditioning
    ) -> [String: String] {
        [
            "model": modelId, "separator": separatorId, "stems": stems.joined(separator: ","),
            "composition": composition.rawValue, "segments": String(segments),
            "exhaustive_limit": String(exhaustiveLimit), "samples": String(samples), "seed": String(seed),
            "front_end": frontEnd, "kernel_width": "0.25",
            "ridge_alpha": "1", "distance": "cosine", "method": "audioLIME 0.0.3 (LimeBase, highest_weights)",
        ]
    }
}

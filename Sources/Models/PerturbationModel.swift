import Core
import Explain
import Foundation
import Inference
import Store

/// A model that explanations can query: it maps a batch of front-end features (one per
/// perturbation, composed by its `frontEnd` from cached spectra) to one value per target.
public protocol PerturbationModel: Sendable {
    associatedtype FrontEnd: ComposableFrontEnd
    /// The linear-STFT front end whose features the model reads.
    var frontEnd: FrontEnd { get }
    /// Identifies the model in the catalog (content hash of its weights, or of its command).
    var id: String { get }
    /// The model's targets, in output order.
    var targets: [ExplainTarget] { get }
    /// Linear weights joining each concept to each output (outputs × concepts), when the model
    /// has the paper's two linear layers; nil otherwise.
    var conceptToOutputWeights: [Float]? { get }
    /// Runs the model on features of one shape, on `threads` threads of this process (a model
    /// that computes elsewhere ignores it); returns `inputs.count × targets.count` values,
    /// row-major. The values must not depend on `threads` (docs/ARCHITECTURE.md, "Determinism").
    func predict(_ inputs: [FrontEnd.Features], threads: Int) async throws -> [Float]
    /// Whether `predict` computes in this process on the threads it is given. `explain` then
    /// explains one excerpt per core at once, each pass on one thread, by default; an external
    /// command (false) gets one excerpt at a time.
    var computesInProcess: Bool { get }
    /// The outputs for the all-zero input when already known (so it is not run again).
    var zeroOutput: [Float]? { get }
    /// The model's row in the catalog's `models` table (registered when it explains a store).
    var record: ModelRecord? { get }
}

extension PerturbationModel {
    public var computesInProcess: Bool { true }
    public var zeroOutput: [Float]? { nil }
    public var record: ModelRecord? { nil }
}

/// One explainable output of a model: a mid-level concept or an emotion output (or, for an
/// external model, whatever it names).
public struct ExplainTarget: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Codable { case concept, output }
    public var name: String
    public var kind: Kind

    public init(name: String, kind: Kind) {
        self.name = name
        self.kind = kind
    }
}

/// Loads a weights file as a model that explanations can query.
public enum PerturbationModels {
    /// `url` names a weights file; the word `musicnn` (when no such file exists) names the bundled
    /// MSD_musicnn tagger.
    public static func load(contentsOf url: URL) throws -> any PerturbationModel {
        var url = url
        if url.lastPathComponent == "musicnn", !FileManager.default.fileExists(atPath: url.path) {
            guard let bundled = MusicnnModel.bundledWeightsURL else {
                throw ModelUseError.invalid("the bundled musicnn weights are missing from this build")
            }
            url = bundled
        }
        let loaded = try LoadedModel(contentsOf: url)
        return try loaded.definition.perturbationModel(loaded)
    }
}

import Core
import Inference
import Store

/// `model run` for the musicnn tagger: the input is a batch of log-mel patches, [P, 187, 96]
/// (or one patch [187, 96]); the outputs are `tags` (P × 50 sigmoid probabilities) and
/// `penultimate` (P × 200).
enum MusicnnModelRun {
    static func run(_ loaded: LoadedModel, input: Tensor) throws -> [String: Tensor] {
        let model = try MusicnnModel(weights: loaded.tensors)
        let shape = input.shape.count == 2 ? [1] + input.shape : input.shape
        guard shape.count == 3, shape[1] == MusicnnFrontEnd.patchFrames, shape[2] == 96 else {
            throw PipelineError.invalidOption(
                "musicnn 'input' must be [P, \(MusicnnFrontEnd.patchFrames), 96] log-mel patches, has shape \(input.shape)")
        }
        let patches = try MusicnnPatches(values: try input.floats(), count: shape[0])
        let out = model.predict(patches)
        return [
            "tags": Tensor(floats: out.taggram, shape: [out.patchCount, MusicnnModel.tagCount]),
            "penultimate": Tensor(floats: out.penultimate, shape: [out.patchCount, MusicnnModel.penultimateSize]),
        ]
    }
}

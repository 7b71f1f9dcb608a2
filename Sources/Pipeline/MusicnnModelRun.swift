import Inference
import Store

/// `model run` for the musicnn tagger: the input is a batch of mel patches.
enum MusicnnModelRun {
    static func run(_ loaded: LoadedModel, input: Tensor) throws -> [String: Tensor] {
        throw PipelineError.invalidOption("musicnn models are not supported by `model run` yet")
    }
}

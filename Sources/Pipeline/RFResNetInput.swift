import Core
import DSP
import Store

/// The RF-ResNet input of a stored mixture spectrogram (`logfiltspec`): the paper's 149 bands,
/// cut or looped to the 1252-frame model input as the reference `slice_func(padding='loop')`
/// does (`Spectrogram.modelInput`). What `infer` feeds the network and what `stemtrace train`
/// embeds with its conv trunk, so the two see the same input.
enum RFResNetInput {
    static let bands = LogarithmicFilterbank().bandCount
    static let frames = SpectrogramConfig.paper.modelInputFrames

    /// The `bands × frames` input values of one stored spectrogram.
    static func values(of spectrogram: Tensor) throws -> [Float] {
        guard spectrogram.shape.count == 2, spectrogram.shape[0] == bands else {
            throw PipelineError.invalidOption(
                "stored spectrogram has shape \(spectrogram.shape); the RF-ResNet expects \(bands) bands: re-ingest with the paper's front end"
            )
        }
        let spec = Spectrogram(
            bandCount: spectrogram.shape[0], frameCount: spectrogram.shape[1], values: try spectrogram.floats())
        return spec.modelInput(length: frames).values
    }
}

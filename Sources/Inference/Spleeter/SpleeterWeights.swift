import Core
import Foundation

/// The weights of a spleeter model converted by `tools/convert_spleeter.py` (or written by
/// `tools/make_spleeter_random.py`): one U-Net per instrument, named `INSTRUMENT/conv{1…6}`,
/// `INSTRUMENT/deconv{1…6}` and `INSTRUMENT/mask`, in TensorFlow's layouts (conv kernels
/// H×W×in×out, transposed-conv kernels H×W×out×in), with spleeter's parameters in the metadata.
///
/// The file is hostile input: its kind must be `spleeter` (musicnn's TensorFlow names look alike),
/// its parameters must be the ones this implementation runs (spleeter's 2/4/5-stem configs all
/// share them), every tensor must have the U-Net's shape and every value must be finite.
public struct SpleeterWeights: Sendable {
    /// The metadata value of `stemtrace.kind` that marks spleeter weights.
    public static let kind = "spleeter"
    /// Encoder filters of spleeter's U-Net (`conv_n_filters`).
    public static let encoderFilters = [16, 32, 64, 128, 256, 512]

    /// Instruments in the config's order: the stems, named by the model.
    public let instruments: [String]
    /// The config's `model` section: mask type and activations (2stems: sigmoid masks, LeakyReLU
    /// encoder, ReLU decoder; 4stems: ELU; 5stems: ELU and softmax masks).
    public let architecture: SpleeterArchitecture
    /// One U-Net per instrument, in `instruments` order.
    let networks: [UNetWeights]
    /// Where the file came from (metadata `source`), for messages and `stemtrace separate`.
    public let source: String
    /// The XXH3-128 of the file's bytes: separator ids include it.
    public let contentHash: String

    /// Loads and checks `url`; `makeCommand` is named in errors about a missing or corrupt file.
    public init(contentsOf url: URL, makeCommand: String) throws(SpleeterError) {
        let path = url.path
        let data: Data
        do { data = try WholeFile.read(url) } catch {
            guard !error.isMissing else { throw .missingWeights(path: path, command: makeCommand) }
            throw .corruptWeights(path: path, reason: error.reason, command: makeCommand)
        }
        let tensors: [String: Tensor]
        let metadata: [String: String]
        do { (tensors, metadata) = try Safetensors.decodeWithMetadata(data, source: path) } catch {
            throw .corruptWeights(path: path, reason: "\(error)", command: makeCommand)
        }
        guard metadata["stemtrace.kind"] == Self.kind else {
            throw .corruptWeights(
                path: path,
                reason: "its metadata kind is \(metadata["stemtrace.kind"].map { "'\($0)'" } ?? "missing"), not 'spleeter'",
                command: makeCommand)
        }
        try SpleeterParameters.check(metadata, path: path)
        architecture = try SpleeterArchitecture(metadata: metadata, path: path)
        let names = (metadata["spleeter.instruments"] ?? "").split(separator: ",", omittingEmptySubsequences: false).map(
            String.init)
        guard !names.isEmpty, names.count <= 16, Set(names).count == names.count else {
            throw .corruptWeights(path: path, reason: "spleeter.instruments must be 1–16 distinct names", command: makeCommand)
        }
        // Instrument names become stem names, and so parts of file names.
        if let bad = names.first(where: { !StemName.isValid($0) }) {
            throw .corruptWeights(path: path, reason: "spleeter.instruments: \(StemName.rule(bad))", command: makeCommand)
        }
        let table = WeightTable(model: path, tensors: tensors)
        var networks: [UNetWeights] = []
        do {
            for name in names { networks.append(try UNetWeights(instrument: name, table: table)) }
        } catch { throw .corruptWeights(path: path, reason: "\(error)", command: makeCommand) }
        let expected = Set(names.flatMap { UNetWeights.tensorNames(instrument: $0) })
        if let extra = Set(tensors.keys).subtracting(expected).sorted().first {
            throw .corruptWeights(path: path, reason: "unexpected tensor '\(extra)'", command: makeCommand)
        }
        instruments = names
        self.networks = networks
        source = metadata["source"] ?? url.lastPathComponent
        var hasher = ContentHash.Hasher()
        data.withUnsafeBytes { hasher.update($0) }
        contentHash = hasher.finalize()
    }
}

/// spleeter's `model` config section (`utils/configuration.py`, resources/4stems.json,
/// 5stems.json) as the converter writes it: `spleeter.model`, `spleeter.conv_activation`,
/// `spleeter.deconv_activation`. Absent keys mean the 2-stem model's values.
public struct SpleeterArchitecture: Sendable, Equatable {
    /// Keras activations spleeter's `apply_unet` chooses from (`_get_conv_activation_layer`).
    public enum Activation: String, Sendable {
        case leakyReLU = "LeakyReLU"
        case relu = "ReLU"
        case elu = "ELU"

        /// LeakyReLU(0.2), ReLU, ELU(α = 1), as Keras's layers compute them.
        @inline(__always) func apply(_ v: Float) -> Float {
            switch self {
            case .leakyReLU: v < 0 ? v * 0.2 : v
            case .relu: max(v, 0)
            case .elu: v > 0 ? v : Float(expm1(Double(v)))
            }
        }
    }

    /// `unet.unet`: one sigmoid mask per instrument; `unet.softmax_unet`: logits, a softmax across
    /// instruments.
    public var softmaxMasks: Bool
    public var encoderActivation: Activation
    public var decoderActivation: Activation

    init(metadata: [String: String], path: String) throws(SpleeterError) {
        switch metadata["spleeter.model"] ?? "unet.unet" {
        case "unet.unet": softmaxMasks = false
        case "unet.softmax_unet": softmaxMasks = true
        case let other:
            throw .unsupportedParameters(
                path: path, key: "spleeter.model", found: other, supported: "unet.unet or unet.softmax_unet")
        }
        func activation(_ key: String, _ fallback: Activation) throws(SpleeterError) -> Activation {
            guard let text = metadata[key] else { return fallback }
            guard let value = Activation(rawValue: text) else {
                throw .unsupportedParameters(path: path, key: key, found: text, supported: "LeakyReLU, ReLU or ELU")
            }
            return value
        }
        // Keras's fallback in `_get_conv_activation_layer` is LeakyReLU(0.2), in
        // `_get_deconv_activation_layer` ReLU: the 2-stem config names neither.
        encoderActivation = try activation("spleeter.conv_activation", .leakyReLU)
        decoderActivation = try activation("spleeter.deconv_activation", .relu)
    }
}

/// spleeter's signal parameters (`utils/configuration.py` and the 4/5-stem configs): the file's
/// metadata must state exactly these, since they are what the network was trained with.
public enum SpleeterParameters {
    public static let sampleRate = 44_100
    public static let frameLength = 4096
    public static let frameStep = 1024
    /// Frames per segment fed to the U-Net.
    public static let segmentFrames = 512
    /// Frequency bins fed to the U-Net (of frameLength/2 + 1).
    public static let bins = 1024
    public static let channels = 2
    public static let separationExponent = 2
    /// `Separator` adds ε to the ratio mask's numerator (ε/K) and denominator (ε).
    public static let epsilon: Float = 1e-10
    /// `WINDOW_COMPENSATION_FACTOR` of spleeter's inverse STFT.
    public static let windowCompensation: Float = 2.0 / 3.0
    /// Keras BatchNormalization's default ε.
    static let batchNormEpsilon: Float = 1e-3

    static let expected: [String: String] = [
        "spleeter.sample_rate": "\(sampleRate)", "spleeter.frame_length": "\(frameLength)",
        "spleeter.frame_step": "\(frameStep)", "spleeter.T": "\(segmentFrames)", "spleeter.F": "\(bins)",
        "spleeter.n_channels": "\(channels)", "spleeter.separation_exponent": "\(separationExponent)",
        "spleeter.mask_extension": "zeros",
    ]

    static func check(_ metadata: [String: String], path: String) throws(SpleeterError) {
        for (key, value) in expected.sorted(by: { $0.key < $1.key }) where metadata[key] != value {
            throw .unsupportedParameters(path: path, key: key, found: metadata[key], supported: value)
        }
    }
}

/// One instrument's U-Net weights in TensorFlow's own layouts, which oneDNN reads directly when it
/// reorders them into its blocked ones (`UNetPlan`): no rearranged copy of the 78 MB is made.
struct UNetWeights: Sendable {
    struct Layer: Sendable {
        var outChannels: Int
        var inChannels: Int
        var kernel: Int
        /// TensorFlow's layout: H×W×in×out (HWIO) for a convolution, H×W×out×in for a transposed one
        /// (with O its output), as in the checkpoint, left in the file's buffer.
        var weights: FloatBytes
        var bias: [Float]
    }

    let instrument: String
    /// conv1…conv6 and their batch norms (the sixth norm is in the checkpoint but unused: the
    /// decoder starts from conv6 itself, as spleeter's `apply_unet` does).
    var encoder: [(conv: Layer, norm: BatchNormParameters)] = []
    /// deconv1…deconv6 (transposed, H×W×out×in) and their norms.
    var decoder: [(deconv: Layer, norm: BatchNormParameters)] = []
    var mask: Layer

    static func tensorNames(instrument i: String) -> [String] {
        let norm = ["gamma", "beta", "moving_mean", "moving_variance"]
        var names = ["\(i)/mask/kernel", "\(i)/mask/bias"]
        for k in 1...6 {
            for part in ["conv", "deconv"] {
                names += ["\(i)/\(part)\(k)/kernel", "\(i)/\(part)\(k)/bias"] + norm.map { "\(i)/\(part)\(k)/bn/\($0)" }
            }
        }
        return names
    }

    /// Decoder output channels: the encoder's filters backwards, then 1 (the mask's input).
    static let decoderFilters = [256, 128, 64, 32, 16, 1]

    init(instrument i: String, table: WeightTable) throws(ModelError) {
        instrument = i
        var inChannels = SpleeterParameters.channels
        for (k, filters) in SpleeterWeights.encoderFilters.enumerated() {
            let conv = try Self.conv(table, "\(i)/conv\(k + 1)", kernel: 5, in: inChannels, out: filters)
            encoder.append((conv, try Self.norm(table, "\(i)/conv\(k + 1)/bn", channels: filters)))
            inChannels = filters
        }
        for (k, filters) in Self.decoderFilters.enumerated() {
            // deconv1 reads conv6 (512); deconv k > 1 reads [skip, previous] = 2 × its output.
            let input = k == 0 ? 512 : 2 * Self.decoderFilters[k - 1]
            let deconv = try Self.transposed(table, "\(i)/deconv\(k + 1)", in: input, out: filters)
            decoder.append((deconv, try Self.norm(table, "\(i)/deconv\(k + 1)/bn", channels: filters)))
        }
        mask = try Self.conv(table, "\(i)/mask", kernel: 4, in: 1, out: SpleeterParameters.channels)
    }

    /// A Conv2D kernel, H×W×in×out.
    private static func conv(_ table: WeightTable, _ name: String, kernel: Int, in c: Int, out o: Int) throws(ModelError) -> Layer
    {
        let (shape, values) = try table.floatBytes("\(name)/kernel", rank: 4)
        guard shape == [kernel, kernel, c, o] else {
            throw .weightShape(
                model: table.model, name: "\(name)/kernel", expected: "[\(kernel), \(kernel), \(c), \(o)]", actual: shape)
        }
        return Layer(
            outChannels: o, inChannels: c, kernel: kernel, weights: values, bias: try table.vector("\(name)/bias", count: o))
    }

    /// A Conv2DTranspose kernel, H×W×out×in (out = the transposed conv's output channels).
    private static func transposed(_ table: WeightTable, _ name: String, in c: Int, out o: Int) throws(ModelError) -> Layer {
        let (shape, values) = try table.floatBytes("\(name)/kernel", rank: 4)
        guard shape == [5, 5, o, c] else {
            throw .weightShape(model: table.model, name: "\(name)/kernel", expected: "[5, 5, \(o), \(c)]", actual: shape)
        }
        return Layer(outChannels: o, inChannels: c, kernel: 5, weights: values, bias: try table.vector("\(name)/bias", count: o))
    }

    /// A Keras BatchNormalization at inference (moving statistics, ε = 1e-3) folded to the
    /// per-channel scale γ/√(σ² + ε) and shift β − μ·scale.
    private static func norm(_ table: WeightTable, _ prefix: String, channels: Int) throws(ModelError)
        -> BatchNormParameters
    {
        let variance = try table.vector("\(prefix)/moving_variance", count: channels)
        if let bad = variance.firstIndex(where: { $0 < 0 }) {
            throw .weightShape(
                model: table.model, name: "\(prefix)/moving_variance",
                expected: "non-negative values (element \(bad) is negative)",
                actual: [channels])
        }
        return BatchNormParameters(
            weight: try table.vector("\(prefix)/gamma", count: channels),
            bias: try table.vector("\(prefix)/beta", count: channels),
            mean: try table.vector("\(prefix)/moving_mean", count: channels), variance: variance,
            eps: SpleeterParameters.batchNormEpsilon)
    }
}

import Core
import Foundation
import Store

/// A model file loaded from disk and recognised by its tensor names: the paper's RF-ResNet
/// (PyTorch keys), the musicnn tagger (TensorFlow keys), or an explainable linear head on
/// musicnn's embedding written by `stemtrace train` (`concepts.weight`, `output.weight`). Its `id` is the
/// XXH3-128 of the file's bytes: the store identifies models by content, never by path. A file
/// whose header is malformed or whose weights hold NaN or ±Inf is refused here, before any use.
public struct LoadedModel: Sendable {
    public enum Kind: String, Sendable {
        case rfresnet, musicnn
        case musicnnLinear = "musicnn-linear"
    }

    public let url: URL
    public let id: String
    public let kind: Kind
    public let tensors: [String: Tensor]
    public let metadata: [String: String]

    public init(contentsOf url: URL) throws(ModelError) {
        let data: Data
        do { data = try Data(contentsOf: url, options: .mappedIfSafe) } catch {
            throw .unreadable(path: url.path, reason: error.localizedDescription)
        }
        let (tensors, metadata): ([String: Tensor], [String: String])
        do { (tensors, metadata) = try Safetensors.decodeWithMetadata(data, source: url.path) } catch {
            throw .unreadable(path: url.path, reason: error.description)
        }
        // One NaN weight poisons every prediction it touches; refuse the file instead.
        for name in tensors.keys.sorted() {
            if let index = tensors[name]?.firstNonFiniteIndex() {
                throw .nonFiniteWeight(path: url.path, tensor: name, index: index)
            }
        }
        if tensors["in_c.0.weight"] != nil {
            kind = .rfresnet
        } else if tensors["conv2d/kernel"] != nil || tensors.keys.contains(where: { $0.hasPrefix("batch_normalization") }) {
            kind = .musicnn
        } else if tensors["concepts.weight"] != nil, tensors["output.weight"] != nil {
            kind = .musicnnLinear
        } else {
            throw .unreadable(
                path: url.path,
                reason:
                    "neither an RF-ResNet (PyTorch keys), a musicnn (TensorFlow keys) nor a trained linear head (concepts.weight, output.weight)"
            )
        }
        var hasher = ContentHash.Hasher()
        data.withUnsafeBytes { hasher.update($0) }
        self.id = hasher.finalize()
        self.url = url
        self.tensors = tensors
        self.metadata = metadata
    }
}

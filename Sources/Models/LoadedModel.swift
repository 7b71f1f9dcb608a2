import Core
import Foundation
import Inference

/// A model file loaded from disk with its kind (`ModelKinds.recognise`: the `stemtrace.kind`
/// metadata, else the tensor names). Its `id` is the XXH3-128 of the file's bytes: the store
/// identifies models by content, never by path. A file whose header is malformed or whose
/// weights hold NaN or ±Inf is refused here, before any use.
public struct LoadedModel: Sendable {
    public let url: URL
    public let id: String
    /// What the file is and how to run it.
    public let definition: any ModelKind
    public let tensors: [String: Tensor]
    public let metadata: [String: String]

    /// The kind's name (`rfresnet`, `musicnn`, `musicnn-linear`).
    public var kind: ModelKindName { definition.name }

    /// A readable name: the metadata `name` when the file has one, else the file name.
    public var displayName: String { metadata["name"] ?? url.lastPathComponent }

    /// True for a model made to demonstrate the pipeline (metadata `demonstration` = `true`,
    /// written by `stemtrace train --demonstration`), not to model real listeners.
    public var isDemonstration: Bool { metadata["demonstration"] == "true" }

    public init(contentsOf url: URL) throws(ModelError) {
        let data: Data
        do { data = try WholeFile.read(url) } catch { throw .unreadable(path: url.path, reason: error.reason) }
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
        definition = try ModelKinds.recognise(tensorNames: Set(tensors.keys), metadata: metadata, path: url.path)
        var hasher = ContentHash.Hasher()
        data.withUnsafeBytes { hasher.update($0) }
        self.id = hasher.finalize()
        self.url = url
        self.tensors = tensors
        self.metadata = metadata
    }

    /// Refuses a model of another kind than `expected`, naming the use.
    public func require(_ expected: ModelKindName, for use: String) throws(ModelUseError) {
        guard kind == expected else { throw .unsupported(model: url.path, kind: kind, use: use) }
    }
}

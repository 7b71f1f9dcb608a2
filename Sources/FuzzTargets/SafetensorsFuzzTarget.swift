import Core
import Foundation
import Inference
import Store

/// Fuzz target for the safetensors reader (model weights, `model run` inputs, `--model-command`
/// outputs): `Safetensors.decode` and `Safetensors.metadata` on the input bytes.
///
/// Besides "never traps", two properties are checked, since a reader can go wrong without a trap:
/// the same bytes held in a `Data` slice that does not start at index 0 decode alike (the reader
/// must index from `startIndex`), and whatever decodes survives `encode` and a second `decode`
/// unchanged. A broken property stops the fuzzer like a crash, with the input saved.
public enum SafetensorsFuzzTarget {
    public static func run(_ data: Data) {
        let tensors = try? Safetensors.decode(data, source: "fuzz")
        let metadata = try? Safetensors.metadata(data, source: "fuzz")

        var padded = Data([0xA5])
        padded.append(data)
        let slice = padded.dropFirst()
        let sliceTensors = try? Safetensors.decode(slice, source: "fuzz")
        precondition(sliceTensors == tensors, "a Data slice decodes differently from the same bytes at index 0")

        guard let tensors else { return }
        // `decode` validates the header that `metadata` reads, so a file that decodes has metadata.
        guard let metadata else { preconditionFailure("decode accepted a file whose metadata is refused") }
        let encoded = Safetensors.encode(tensors, metadata: metadata)
        do {
            let again = try Safetensors.decode(encoded, source: "fuzz re-encoded")
            let againMetadata = try Safetensors.metadata(encoded, source: "fuzz re-encoded")
            precondition(again == tensors, "tensors change through encode and decode")
            precondition(againMetadata == metadata, "metadata change through encode and decode")
        } catch {
            preconditionFailure("a re-encoded file is refused: \(error)")
        }
    }
}

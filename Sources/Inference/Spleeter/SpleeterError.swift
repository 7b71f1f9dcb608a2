/// Why spleeter weights could not be used or a separation could not run.
public enum SpleeterError: Error, Equatable, CustomStringConvertible {
    /// The weights file does not exist or cannot be read; `command` makes it.
    case missingWeights(path: String, command: String)
    case corruptWeights(path: String, reason: String, command: String)
    case unsupportedParameters(path: String, key: String, found: String?, supported: String)
    case invalidInput(reason: String)
    /// oneDNN refused to set up or run a layer.
    case network(String)
    /// Every stem equals the input: the classic silent failure of a model that did not load.
    case identityOutput(instruments: [String])

    public var description: String {
        switch self {
        case let .missingWeights(path, command):
            "spleeter weights not found at \(path); run `\(command)` to fetch and convert them (or choose --separator builtin, which needs no weights)"
        case let .corruptWeights(path, reason, command):
            "\(path): not usable spleeter weights: \(reason); run `\(command)` to make them again"
        case let .unsupportedParameters(path, key, found, supported):
            "\(path): \(key) is \(found.map { "'\($0)'" } ?? "missing"), this implementation runs only '\(supported)'"
        case let .invalidInput(reason): "spleeter: \(reason)"
        case let .network(reason): "spleeter network: \(reason)"
        case let .identityOutput(instruments):
            "spleeter: every stem (\(instruments.joined(separator: ", "))) equals the input within 1e-6 of its peak — the model did not separate anything (weights not loaded?)"
        }
    }
}

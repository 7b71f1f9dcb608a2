import Foundation
import Subprocess

/// Runs an external tool without a shell: in a session of its own with a wall-clock limit, so a
/// timeout stops it and every process it started (SIGTERM to the process group, SIGKILL two
/// seconds later). Used by the command separator and by explanations of external models.
public enum ExternalCommand {
    enum RunOutcome: Sendable {
        case finished(TerminationStatus, standardOutput: String, standardError: String)
        case launchFailed(String)
        case timedOut
        case cancelled
    }

    /// Runs the words as a process (`arguments[0]` is the executable, looked up in PATH unless it
    /// contains a `/`); returns normally only when it exits with status 0 within `timeout`.
    public static func run(_ arguments: [String], workingDirectory: String, timeout: Duration) async throws(ExternalCommandError)
    {
        let tool = arguments[0]
        let executable: Executable = tool.contains("/") ? .path(.init(tool)) : .name(tool)
        var options = PlatformOptions()
        options.createSession = true
        options.teardownSequence = [.gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: .seconds(2))]
        let configuration = Configuration(
            executable: executable, arguments: Arguments(Array(arguments.dropFirst())), environment: .inherit,
            workingDirectory: .init(workingDirectory), platformOptions: options)

        let outcome: RunOutcome = await withTaskGroup(of: RunOutcome?.self) { group in
            group.addTask {
                do {
                    let result = try await Subprocess.run(configuration, input: .none, output: .sequence, error: .sequence) {
                        execution in
                        async let standardOutput = OutputTail.read(execution.standardOutput)
                        let standardError = await OutputTail.read(execution.standardError)
                        return await (standardOutput, standardError)
                    }
                    // A run stopped by cancellation (a timeout or the caller) ends as a signal.
                    if Task.isCancelled { return nil }
                    let (standardOutput, standardError) = result.closureResult
                    return .finished(result.terminationStatus, standardOutput: standardOutput, standardError: standardError)
                } catch {
                    if Task.isCancelled || error is CancellationError { return nil }
                    return .launchFailed(String(describing: error))
                }
            }
            group.addTask {
                do {
                    try await Task.sleep(for: timeout)
                    return .timedOut
                } catch {
                    return nil
                }
            }
            var outcome = RunOutcome.cancelled
            while let next = await group.next() {
                if let next {
                    outcome = next
                    break
                }
            }
            group.cancelAll()  // stops the timer, or tears the process group down on a timeout
            return outcome
        }

        switch outcome {
        case let .finished(status, standardOutput, standardError):
            guard !status.isSuccess else { return }
            let described: String
            switch status {
            case let .exited(code): described = "exit status \(code)"
            case let .signaled(signal): described = "killed by signal \(signal)"
            }
            let errorLines = OutputTail.lastLines(standardError)
            let output = errorLines.isEmpty ? OutputTail.lastLines(standardOutput) : errorLines
            throw .failed(tool: tool, status: described, output: output)
        case let .launchFailed(reason):
            throw .failed(tool: tool, status: "could not start", output: reason)
        case .timedOut:
            let parts = timeout.components
            throw .timedOut(tool: tool, seconds: Double(parts.seconds) + Double(parts.attoseconds) * 1e-18)
        case .cancelled:
            throw .failed(tool: tool, status: "cancelled", output: "")
        }
    }
}

/// Why an external tool run failed.
public enum ExternalCommandError: Error, Equatable, CustomStringConvertible {
    /// It could not start, was cancelled, or exited with a non-zero status; `output` is the end of its stderr (or stdout).
    case failed(tool: String, status: String, output: String)
    case timedOut(tool: String, seconds: Double)

    public var description: String {
        switch self {
        case let .failed(tool, status, output): "\(tool) failed (\(status))" + (output.isEmpty ? "" : ": \(output)")
        case let .timedOut(tool, seconds): "\(tool) did not finish within \(seconds) s"
        }
    }
}

/// The bounded end of a process's output stream.
enum OutputTail {
    /// Bytes kept from the end of each stream.
    static let limit = 64 * 1024

    /// Reads the stream to its end (or until it fails) and returns its last `limit` bytes as text.
    static func read(_ stream: SubprocessOutputSequence) async -> String {
        var kept: [UInt8] = []
        do {
            for try await buffer in stream {
                buffer.withUnsafeBytes { kept.append(contentsOf: $0) }
                if kept.count > 2 * limit { kept.removeFirst(kept.count - limit) }
            }
        } catch {
            // A failed read ends the capture; what was read so far still explains the failure.
        }
        if kept.count > limit { kept.removeFirst(kept.count - limit) }
        return String(decoding: kept, as: UTF8.self)
    }

    /// The last `count` non-blank lines, each cut to 500 characters. Within a line only the text
    /// after its last carriage return counts, as a terminal shows progress bars.
    static func lastLines(_ text: String, count: Int = 10) -> String {
        var lines: [String] = []
        for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let shown = line.split(separator: "\r").map { $0.trimmingCharacters(in: .whitespaces) }
            if let last = shown.last(where: { !$0.isEmpty }) {
                lines.append(last.count > 500 ? String(last.prefix(500)) + "…" : last)
            }
        }
        return lines.suffix(count).joined(separator: "\n")
    }
}

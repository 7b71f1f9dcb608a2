import Foundation

/// The `stemtrace` executable built beside the test bundle (by `swift build --build-tests`).
public enum BuiltTool {
    public static var stemtrace: URL {
        get throws {
            let candidates = [
                URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
                Bundle.main.bundleURL,
                Bundle.main.bundleURL.deletingLastPathComponent(),
            ].map { $0.appendingPathComponent("stemtrace") }
            guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
                throw BuiltToolError.notBuilt(searched: candidates.map(\.path))
            }
            return found
        }
    }

    /// Runs the tool to completion; returns exit status and combined output. `environment`
    /// adds to (or overrides) this process's variables, e.g. `OMP_NUM_THREADS`.
    public static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> (
        status: Int32, output: String
    ) {
        try run(executable: try stemtrace, arguments, environment: environment)
    }

    /// `run` on a thread of its own, for long commands in async tests: waiting for a process would
    /// otherwise hold one of the few cooperative threads that every other running test needs
    /// (on 2 cores, two long waits starve the suite's time-sensitive tests).
    public static func runDetached(_ arguments: [String], environment: [String: String] = [:]) async throws -> (
        status: Int32, output: String
    ) {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                do { continuation.resume(returning: try run(arguments, environment: environment)) } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    /// Runs any executable (a system command such as `mount`) to completion; returns exit status
    /// and combined output.
    public static func run(executable: URL, _ arguments: [String], environment: [String: String] = [:]) throws -> (
        status: Int32, output: String
    ) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

public enum BuiltToolError: Error, CustomStringConvertible {
    case notBuilt(searched: [String])
    public var description: String { "stemtrace executable not found (run `swift build --build-tests`); looked in \(searched)" }
    var searched: [String] { if case let .notBuilt(s) = self { s } else { [] } }
}

import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Progress of a long run on standard error: a redrawn bar with rate and ETA on a terminal,
/// a plain line every few seconds otherwise (logs, CI, batch schedulers).
public final class ProgressReporter: Sendable {
    public enum Mode: Sendable { case automatic, bar, lines, silent }

    private struct State {
        var done = 0
        var failed = 0
        var lastDraw: Double = 0
    }

    private let label: String
    private let total: Int
    private let mode: Mode
    private let start: Double
    private let interval: Double
    private let state = Mutex(State())

    public init(label: String, total: Int, mode: Mode = .automatic, lineInterval: Double = 5) {
        self.label = label
        self.total = total
        self.mode = mode == .automatic ? (isatty(STDERR_FILENO) == 1 ? .bar : .lines) : mode
        self.start = Self.now()
        self.interval = lineInterval
    }

    private static func now() -> Double { Date().timeIntervalSinceReferenceDate }

    /// Records one finished item.
    public func advance(failed: Bool = false) {
        let line: String? = state.withLock { s in
            s.done += 1
            if failed { s.failed += 1 }
            let t = Self.now()
            let due = mode == .bar ? t - s.lastDraw >= 0.1 : t - s.lastDraw >= interval
            guard mode != .silent, due || s.done == total else { return nil }
            s.lastDraw = t
            return render(s, elapsed: t - start)
        }
        if let line { emit(line) }
    }

    /// Ends the bar's line on a terminal.
    public func finish() {
        if mode == .bar { emit("\n", raw: true) }
    }

    /// Prints a message without breaking the bar.
    public func message(_ text: String) {
        guard mode != .silent else { return }
        emit((mode == .bar ? "\r\u{1B}[K" : "") + text + "\n", raw: true)
    }

    private func render(_ s: State, elapsed: Double) -> String {
        let rate = elapsed > 0 ? Double(s.done) / elapsed : 0
        let remaining = rate > 0 ? Double(total - s.done) / rate : 0
        let failedNote = s.failed > 0 ? ", \(s.failed) failed" : ""
        let stats = String(format: "%d/%d  %.1f/s  ETA %@%@", s.done, total, rate, Self.clock(remaining), failedNote)
        guard mode == .bar else { return "\(label): \(stats)" }
        let width = 30
        let filled = total > 0 ? width * s.done / total : width
        return "\r\u{1B}[K\(label) [" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            + "] " + stats
    }

    private func emit(_ text: String, raw: Bool = false) {
        let out = raw || mode == .bar ? text : text + "\n"
        FileHandle.standardError.write(Data(out.utf8))
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600
            ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}

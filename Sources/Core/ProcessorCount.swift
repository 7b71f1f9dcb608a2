import Foundation

/// How many threads stemtrace uses by default: `STEMTRACE_THREADS` when it is set to a whole
/// number ≥ 1 (a cluster task pins it to the CPUs the scheduler granted: tools/slurm), else the
/// processors this process may run on (the affinity mask, `Cpus_allowed` in /proc/self/status, so
/// `taskset` and CPU binding are honoured, which Foundation's `activeProcessorCount` is not), else
/// `activeProcessorCount`.
public enum ProcessorCount {
    public static let available: Int = {
        if let text = ProcessInfo.processInfo.environment["STEMTRACE_THREADS"], let n = Int(text), n >= 1 {
            return min(n, 1024)
        }
        if let n = affinityCount() { return n }
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }()

    /// The number of set bits of /proc/self/status's `Cpus_allowed` hex mask (Linux), or nil.
    public static func affinityCount() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("Cpus_allowed:") {
            let mask = line.dropFirst("Cpus_allowed:".count).filter { $0 != "," && !$0.isWhitespace }
            var count = 0
            for digit in mask {
                guard let v = digit.hexDigitValue else { return nil }
                count += v.nonzeroBitCount
            }
            return count > 0 ? count : nil
        }
        return nil
    }
}

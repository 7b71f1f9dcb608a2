import CDNNL
import COpenBLAS
import CVectorMath
import Foundation
import Synchronization

/// Runs `body(i)` for i in 0..<iterations on `threads` threads of the calling thread's GNU OpenMP
/// team (the caller plus threads − 1 pooled workers), which take indices from a shared counter.
///
/// The team is the one oneDNN's primitives run on (Debian's oneDNN uses GNU OpenMP), so the
/// Winograd convolutions and our own kernels share one set of threads. Measured on the development
/// machine (RF-ResNet, batch 1, 2 threads, quiet machine, medians of 9 runs): with a fresh
/// `Thread` per call, as before, oneDNN's workers spin-wait after each primitive (GNU OpenMP's
/// default policy spins for about 300 000 iterations before sleeping) and took a core from the
/// following kernels: 133–138 ms per forward; 123–126 ms with `OMP_WAIT_POLICY=passive`; 119–122 ms
/// on the shared team. libdispatch's `concurrentPerform` had earlier brought a second core in only
/// for long runs of short jobs; these calls have tens of jobs of a few milliseconds each.
enum ParallelFor {
    static func run(iterations: Int, threads: Int, _ body: @escaping @Sendable (Int) -> Void) {
        let workers = max(1, min(threads, iterations))
        guard workers > 1 else {
            for i in 0..<iterations { body(i) }
            return
        }
        let job = Job(iterations: iterations, body: body)
        withExtendedLifetime(job) {
            GOMP_parallel(teamMember, Unmanaged.passUnretained(job).toOpaque(), UInt32(workers), 0)
        }
    }

    /// What every member of the team runs: jobs from the shared counter until none are left.
    private static let teamMember: @convention(c) (UnsafeMutableRawPointer?) -> Void = { context in
        guard let context else { return }
        let job = Unmanaged<Job>.fromOpaque(context).takeUnretainedValue()
        while true {
            let i = job.next.take()
            if i >= job.iterations { return }
            job.body(i)
        }
    }

    /// One call's work, shared by the team.
    final class Job: Sendable {
        let iterations: Int
        let body: @Sendable (Int) -> Void
        let next = Counter()

        init(iterations: Int, body: @escaping @Sendable (Int) -> Void) {
            self.iterations = iterations
            self.body = body
        }
    }

    /// A shared job counter.
    final class Counter: Sendable {
        private let value = Atomic<Int>(0)
        func take() -> Int { value.add(1, ordering: .relaxed).oldValue }
    }
}

/// Floating-point mode of a GNU OpenMP team: flush-to-zero and denormals-are-zero, set on every
/// member (the caller and its pooled workers, which oneDNN's primitives run on) for the duration
/// of `body`, then cleared, so that other models keep IEEE denormals and their goldens.
enum FlushDenormals {
    static func during<T, E: Error>(threads: Int, _ body: () throws(E) -> T) throws(E) -> T {
        set(true, threads: threads)
        defer { set(false, threads: threads) }
        return try body()
    }

    private static func set(_ on: Bool, threads: Int) {
        let fn: @convention(c) (UnsafeMutableRawPointer?) -> Void =
            on ? { _ in stemtrace_set_flush_denormals(1) } : { _ in stemtrace_set_flush_denormals(0) }
        GOMP_parallel(fn, nil, UInt32(max(1, threads)), 0)
    }
}

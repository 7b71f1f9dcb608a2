import COpenBLAS
import Foundation
import Synchronization

/// Runs `body(i)` for i in 0..<iterations on `threads` threads (the caller plus threads − 1
/// started for the call), which take indices from a shared counter. Measured here, libdispatch's
/// `concurrentPerform` brought a second core in only for long runs of short jobs; these calls
/// have tens of jobs of a few milliseconds each.
enum ParallelFor {
    static func run(iterations: Int, threads: Int, _ body: @escaping @Sendable (Int) -> Void) {
        let workers = max(1, min(threads, iterations))
        guard workers > 1 else {
            for i in 0..<iterations { body(i) }
            return
        }
        let next = Counter()
        let done = DispatchGroup()
        let work: @Sendable () -> Void = {
            while true {
                let i = next.take()
                if i >= iterations { return }
                body(i)
            }
        }
        for _ in 1..<workers {
            done.enter()
            let thread = Thread {
                work()
                done.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        work()
        done.wait()
    }

    /// A shared job counter.
    final class Counter: Sendable {
        private let value = Atomic<Int>(0)
        func take() -> Int { value.add(1, ordering: .relaxed).oldValue }
    }
}

extension Kernels {
    /// Kernels that split their work across threads call OpenBLAS from several threads at once,
    /// so OpenBLAS's own pool is limited to one thread — once per process, never while a BLAS
    /// call may be running elsewhere (changing it concurrently is not safe).
    static let singleThreadedBLAS: Void = openblas_set_num_threads(1)
}

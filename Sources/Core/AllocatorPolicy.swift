#if canImport(Glibc)
    import CMalloc
#endif

/// How the process's allocator treats large blocks, set once at start-up by the executables.
///
/// glibc serves blocks of more than 128 KiB (its default, raised dynamically up to 32 MiB) with a
/// fresh `mmap` and returns them with `munmap` when freed; it also trims free memory at the top of
/// its heaps. A network's feature maps are such blocks: an RF-ResNet forward allocates about
/// 200 MB of 24 MB maps, and every forward then pays for zero-filled pages again — about a quarter
/// of a batch-1 forward (docs/BENCHMARKS.md, "All eight pieces, after issue 19"). Raising the mmap threshold to its
/// maximum and never trimming keeps those blocks in the heap after they are freed, so the next
/// forward reuses pages that are already mapped. The cost is that the process keeps its peak
/// heap until it exits, which the long-running stages reach anyway. Blocks over 32 MiB (a batch
/// of 8 maps) are still mapped and unmapped.
///
/// All threads share the main arena: glibc gives other threads (Swift's cooperative pool, where
/// `explain` runs its forwards) arenas made of 64 MiB heaps, which it unmaps when they empty
/// whatever the trim threshold, so 24 MB maps were faulted in again on every forward there. The
/// allocations that matter are a few large blocks per layer, so one arena's lock costs nothing
/// measurable. https://man7.org/linux/man-pages/man3/mallopt.3.html
public enum AllocatorPolicy {
    /// glibc's upper bound for `M_MMAP_THRESHOLD` on 64-bit systems (`DEFAULT_MMAP_THRESHOLD_MAX`).
    static let mmapThreshold: Int32 = 32 << 20

    /// Keeps freed large blocks for reuse (see the type's description). Returns false where the
    /// allocator does not take the setting (another C library), which changes only speed.
    @discardableResult
    public static func retainFreedBlocks() -> Bool {
        #if canImport(Glibc)
            let mmap = mallopt(M_MMAP_THRESHOLD, mmapThreshold)
            let trim = mallopt(M_TRIM_THRESHOLD, Int32.max)
            let arenas = mallopt(M_ARENA_MAX, 1)
            return mmap == 1 && trim == 1 && arenas == 1
        #else
            return false
        #endif
    }
}

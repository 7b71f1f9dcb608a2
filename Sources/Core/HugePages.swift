import Foundation

/// Asks Linux for transparent huge pages (2 MiB) under large, freshly allocated buffers
/// (`madvise(MADV_HUGEPAGE)`), so that filling one takes a page fault per 2 MiB instead of one
/// per 4 KiB. A decoded 10-minute track is 13 000 small pages, and a one-file ingest with
/// spleeter touched about 110 000 (the weights file read, oneDNN's reordered weights, the
/// networks' buffers); their faults cost more than the reading and zeroing they serve
/// (docs/BENCHMARKS.md, "Start-up and one-file runs"). Only a buffer's whole 2 MiB-aligned
/// interior is advised; the call is a hint, and its failure (another OS, THP disabled) changes
/// nothing but speed. https://www.kernel.org/doc/html/latest/admin-guide/mm/transhuge.html
public enum HugePages {
    /// Buffers smaller than this are left alone: they hold at most one huge page.
    public static let minimumBytes = 4 << 20
    /// The size, and the alignment that lets a buffer start on one.
    public static let hugePageBytes = 2 << 20

    public static func advise(_ buffer: UnsafeMutableRawBufferPointer) {
        #if os(Linux)
            guard buffer.count >= minimumBytes, let base = buffer.baseAddress else { return }
            let address = UInt(bitPattern: base)
            let mask = UInt(hugePageBytes - 1)
            let start = (address + mask) & ~mask
            let end = (address + UInt(buffer.count)) & ~mask
            guard end > start, let pointer = UnsafeMutableRawPointer(bitPattern: start) else { return }
            _ = madvise(pointer, Int(end - start), MADV_HUGEPAGE)
        #endif
    }

    /// Uninitialised memory of `byteCount` bytes, on huge pages when it is large enough: aligned
    /// to 2 MiB and advised then, else to `alignment`. Free it with `deallocate()`.
    public static func allocate(byteCount: Int, alignment: Int) -> UnsafeMutableRawPointer {
        guard byteCount >= minimumBytes else { return .allocate(byteCount: byteCount, alignment: alignment) }
        let pointer = UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: max(alignment, hugePageBytes))
        advise(UnsafeMutableRawBufferPointer(start: pointer, count: byteCount))
        return pointer
    }

    /// `count` zeros, the array's storage advised before it is first touched.
    public static func zeroedFloats(count: Int) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            advise(UnsafeMutableRawBufferPointer(buffer))
            buffer.baseAddress?.initialize(repeating: 0, count: count)
            initialized = count
        }
    }
}

import Foundation

/// Asks Linux for transparent huge pages (2 MiB) under a large, freshly allocated buffer
/// (`madvise(MADV_HUGEPAGE)`), so that filling it takes one page fault per 2 MiB instead of one
/// per 4 KiB. A decoded 10-minute track is 13 000 small pages; their faults cost more than
/// reading the file. Only the buffer's whole 2 MiB-aligned interior is advised; the call is a
/// hint, and its failure (another OS, THP disabled) changes nothing but speed.
/// https://www.kernel.org/doc/html/latest/admin-guide/mm/transhuge.html
public enum HugePages {
    /// Buffers smaller than this are left alone: they hold at most one huge page.
    static let minimumBytes = 4 << 20
    static let hugePageBytes = 2 << 20

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
}

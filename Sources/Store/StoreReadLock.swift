import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A shared lock on a store's `writer.lock`: while it is held no `StoreWriter` can open (they
/// take the same file exclusively), so a long reader such as `StoreMerge` sees a store that does
/// not change under it. Released when the value is deallocated.
public final class StoreReadLock {
    private let fd: Int32

    /// Takes the shared lock; fails with `.locked` while a writer holds the store.
    public init(_ store: Store) throws(StoreError) {
        let path = store.root.appendingPathComponent("writer.lock").path
        var fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        if fd < 0 { fd = open(path, O_RDONLY | O_CLOEXEC) }
        guard fd >= 0 else { throw .io(path: path, reason: String(cString: strerror(errno))) }
        guard flock(fd, LOCK_SH | LOCK_NB) == 0 else {
            close(fd)
            throw .locked(path: store.root.path)
        }
        self.fd = fd
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}

#if canImport(Glibc)
    import Glibc
#endif

/// What a path is, in words, from its `stat` mode: for messages about files that are not
/// regular files ("a FIFO (named pipe)", never "a zero-byte file").
public enum FileKind {
    /// The `stat` of a path that must be a regular file. A FIFO, socket, device or directory is
    /// refused naming what it is, before anything opens it (opening a FIFO can block for ever).
    public static func regularFileStatus(_ file: FileSystemPath) throws(AudioError) -> stat {
        var status = stat()
        guard file.withCString({ stat($0, &status) }) == 0 else {
            throw .undecodable(path: file.text, reason: "cannot open: \(String(cString: strerror(errno)))")
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw .notARegularFile(path: file.text, kind: describe(mode: status.st_mode))
        }
        return status
    }

    public static func describe(mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFREG: "a regular file"
        case S_IFDIR: "a directory"
        case S_IFIFO: "a FIFO (named pipe)"
        case S_IFSOCK: "a socket"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFLNK: "a symbolic link"
        default: "a file of unknown type"
        }
    }
}

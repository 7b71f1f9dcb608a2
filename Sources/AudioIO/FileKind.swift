#if canImport(Glibc)
    import Glibc
#endif

/// What a path is, in words, from its `stat` mode: for messages about files that are not
/// regular files ("a FIFO (named pipe)", never "a zero-byte file").
public enum FileKind {
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

import AudioIO
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Finds the audio files of a corpus: recursively, by extension (`AudioDecoder.audioExtensions`,
/// case-insensitive), skipping hidden files and folders (names starting with `.`), in a stable
/// order (by path bytes). Directories are read with `readdir`, so file names that are not valid
/// UTF-8 are found and kept byte for byte (`FileSystemPath`). Anything with an audio extension
/// that is not a directory is listed — a FIFO or socket too, so ingest can name it and say why it
/// is refused; symbolic links to directories are not followed (no cycles).
public enum CorpusScanner {
    public static func audioFiles(in root: URL) throws(PipelineError) -> [FileSystemPath] {
        let start = FileSystemPath(root.standardizedFileURL.path)
        var status = stat()
        guard start.withCString({ stat($0, &status) }) == 0 else { throw .missingInput(path: root.path) }
        guard status.st_mode & S_IFMT == S_IFDIR else {
            return AudioDecoder.audioExtensions.contains(start.pathExtension) ? [start] : []
        }
        var files: [FileSystemPath] = []
        var pending = [start]
        while let directory = pending.popLast() {
            guard let handle = directory.withCString({ opendir($0) }) else {
                if directory == start { throw .io(path: root.path, reason: String(cString: strerror(errno))) }
                continue
            }
            defer { closedir(handle) }
            while let entry = readdir(handle) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    Array(raw.prefix(while: { $0 != 0 }))
                }
                guard let first = name.first, first != UInt8(ascii: ".") else { continue }
                let path = directory.appending(name)
                if isDirectory(path, type: entry.pointee.d_type) {
                    pending.append(path)
                } else if AudioDecoder.audioExtensions.contains(path.pathExtension) {
                    files.append(path)
                }
            }
        }
        return files.sorted()
    }

    /// A real directory (not a link to one); `lstat` when readdir does not say.
    private static func isDirectory(_ path: FileSystemPath, type: UInt8) -> Bool {
        if type != UInt8(DT_UNKNOWN) { return type == UInt8(DT_DIR) }
        var status = stat()
        return path.withCString { lstat($0, &status) } == 0 && status.st_mode & S_IFMT == S_IFDIR
    }
}

import AudioIO
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// What ingest knows of a corpus file before decoding it: that it is a regular file, its size
/// and modification time (which, with the path, tell a resumed run that it is unchanged).
struct SourceFile {
    let size: Int64
    /// Seconds since 1970, as Foundation's `modificationDate` gives them (the value stored in
    /// `track_sources.mtime` by earlier versions, so resumes still recognise those files).
    let mtime: Double

    /// Reads the file's facts; a FIFO, socket, device or directory is refused naming what it is,
    /// before anything opens it (reading a FIFO can block for ever).
    init(_ file: FileSystemPath) throws(AudioError) {
        let status = try FileKind.regularFileStatus(file)
        size = Int64(status.st_size)
        let seconds = Double(status.st_mtim.tv_sec) + Double(status.st_mtim.tv_nsec) / 1_000_000_000
        mtime = Date(timeIntervalSince1970: seconds).timeIntervalSince1970
    }
}

import Foundation

/// What the fuzz executables in tools/fuzzing share: libFuzzer's pointer and size as `Data`, and, in
/// a build without libFuzzer, a replay of the files named on the command line through a target.
public enum FuzzEntry {
    /// The input libFuzzer passes (it may pass a null pointer with size 0).
    public static func data(_ bytes: UnsafePointer<UInt8>?, _ size: Int) -> Data {
        guard let bytes, size > 0 else { return Data() }
        return Data(bytes: bytes, count: size)
    }

    /// Runs every file named in `arguments` (every regular file below it, for a directory) through
    /// `run` once, in name order; returns the exit status: 0, or 1 when an argument cannot be read.
    public static func replay(_ arguments: [String], _ run: (Data) -> Void) -> Int32 {
        var status: Int32 = 0
        var count = 0
        for argument in arguments {
            for file in files(at: URL(fileURLWithPath: argument)) {
                guard let data = try? Data(contentsOf: file) else {
                    print("cannot read \(file.path)")
                    status = 1
                    continue
                }
                run(data)
                count += 1
            }
        }
        print("replayed \(count) input\(count == 1 ? "" : "s")")
        return status
    }

    /// The regular files below `url` (or `url` itself), sorted, without hidden files such as `.gitkeep`.
    public static func files(at url: URL) -> [URL] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else { return [url] }
        guard isDirectory.boolValue else { return [url] }
        let keys: [URLResourceKey] = [.isRegularFileKey]
        guard let walker = FileManager.default.enumerator(at: url, includingPropertiesForKeys: keys, options: [.skipsHiddenFiles])
        else { return [] }
        var out: [URL] = []
        for case let file as URL in walker where (try? file.resourceValues(forKeys: Set(keys)))?.isRegularFile == true {
            out.append(file)
        }
        return out.sorted { $0.path < $1.path }
    }
}

/// A fuzz input as a file, for readers that take a path. Each call gets its own file, so tests that
/// replay in parallel never share one, and the file is removed before the call returns.
enum ScratchFile {
    static func with<T>(_ data: Data, extension ext: String, _ body: (URL) -> T) -> T {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("stemtrace-fuzz-\(UUID().uuidString).\(ext)")
        do { try data.write(to: url) } catch {
            // Not an outcome of the input: without the file nothing would be fuzzed, so say so loudly.
            fatalError("cannot write the fuzz input to \(url.path): \(error)")
        }
        defer { try? FileManager.default.removeItem(at: url) }
        return body(url)
    }
}

import AudioIO
import Foundation

/// Finds the audio files of a corpus: recursively, by extension (`AudioDecoder.audioExtensions`,
/// case-insensitive), skipping hidden files and folders, in a stable sorted order.
public enum CorpusScanner {
    public static func audioFiles(in root: URL) throws(PipelineError) -> [URL] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory) else {
            throw .missingInput(path: root.path)
        }
        guard isDirectory.boolValue else {
            return AudioDecoder.audioExtensions.contains(root.pathExtension.lowercased()) ? [root] : []
        }
        guard
            let walker = FileManager.default.enumerator(
                at: root, includingPropertiesForKeys: [.isRegularFileKey, .isDirectoryKey], options: [.skipsHiddenFiles])
        else { throw .missingInput(path: root.path) }
        var files: [URL] = []
        for case let url as URL in walker {
            guard AudioDecoder.audioExtensions.contains(url.pathExtension.lowercased()) else { continue }
            files.append(url.standardizedFileURL)
        }
        return files.sorted { $0.path < $1.path }
    }
}

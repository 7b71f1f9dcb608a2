import Analysis
import AudioIO
import Foundation
import Store

/// `stemtrace report --store DIR --output DIR`: `index.html` (see `ReportPage`) and, for a sample
/// of tracks per genre, Ogg Vorbis files of the excerpt, its stems and the sum of the top sources
/// of the concept that drives valence (the two-level chain) in `audio/<track>/`.
public struct ReportStage: Sendable {
    public struct Written: Sendable {
        public var page: URL
        public var audioFiles: Int
        public var bytes: Int
        /// Tracks whose audio could not be written (a damaged record, say), with the reason: the
        /// page is written without their players.
        public var failures: [TrackFailures.Item] = []
    }

    public var store: URL
    public var output: URL
    public var filters = QueryFilters()
    /// Tracks per genre that get audio players.
    public var tracksPerGenre = 2

    public init(store: URL, output: URL) {
        self.store = store
        self.output = output
    }

    public func run() throws -> Written {
        let opened = try Store.open(at: store)
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let page = ReportPage(filters: filters)
        let samples = try ReportSample.select(from: opened, filters: filters, perGenre: tracksPerGenre)
        var audio: [ReportPage.TrackAudio] = []
        var failures = TrackFailures(sources: try opened.catalog.trackSourcePaths())
        for s in samples {
            let directory = output.appendingPathComponent("audio/\(s.track.prefix(12))")
            let written: ExplanationAudio.Written
            do {
                written = try ExplanationAudio.write(
                    store: opened, track: s.track, target: s.target, config: s.config, top: 3, to: directory,
                    format: .oggVorbis)
            } catch {
                failures.add(trackId: s.track, error)
                try? FileManager.default.removeItem(at: directory)
                continue
            }
            let files = written.files.filter { !$0.hasSuffix(".json") }.map { name -> (label: String, path: String) in
                let label = name.replacingOccurrences(of: ".ogg", with: "").replacingOccurrences(of: "stem-", with: "stem: ")
                    .replacingOccurrences(of: "top-components", with: "top sources of \(s.target)")
                return (label, "audio/\(s.track.prefix(12))/\(name)")
            }
            audio.append(
                ReportPage.TrackAudio(
                    trackId: s.track, title: s.title, genre: s.genre, files: files,
                    caption: "\(s.caption) ← "
                        + (written.topComponents.isEmpty
                            ? "no source with a positive weight" : written.topComponents.joined(separator: " + "))))
        }
        let name = store.standardizedFileURL.lastPathComponent
        let html = try page.html(store: opened, storeName: name, audio: audio)
        let url = output.appendingPathComponent("index.html")
        try Data(html.utf8).write(to: url)
        let bytes =
            (FileManager.default.enumerator(at: output, includingPropertiesForKeys: [.fileSizeKey])?.allObjects as? [URL] ?? [])
            .reduce(0) { $0 + ((try? $1.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? 0) }
        return Written(
            page: url, audioFiles: audio.reduce(0) { $0 + $1.files.count }, bytes: bytes, failures: failures.items)
    }
}

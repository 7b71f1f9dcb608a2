import Foundation
import Store
import TestSupport
import Testing

@testable import Analysis
@testable import Pipeline

/// `stemtrace report` on a store with explanations: the page references only files that exist,
/// inlines its plots, and renders in headless Chromium (Debian's `chromium`) without console
/// messages; the screenshot of the page is far from blank.
@Suite struct ReportTests {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    func makeReport() async throws -> (URL, String) {
        let fixture = try await ExplainStageTests()
        _ = try await fixture.explain(BandEnergyModel())
        let out = fixture.root.appendingPathComponent("report")
        let written = try ReportStage(store: fixture.storeURL, output: out).run()
        return (out, try String(contentsOf: written.page, encoding: .utf8))
    }

    @Test func pageInlinesPlotsAndEveryAudioFileExists() async throws {
        let (out, html) = try await makeReport()
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(!html.contains("<script"), "no script in the report")
        let svgs = html.components(separatedBy: "<svg").count - 1
        #expect(svgs >= 4, "plots inline: \(svgs)")
        let sources = html.components(separatedBy: "src=\"").dropFirst().compactMap {
            $0.split(separator: "\"").first.map(String.init)
        }
        #expect(!sources.isEmpty)
        for source in sources {
            #expect(!source.hasPrefix("http") && !source.hasPrefix("/"), "relative: \(source)")
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(source).path), "\(source) is missing")
        }
        #expect(html.contains("run stemtrace infer"), "the effects section says what to run")
    }

    @Test(.enabled(if: ReportTests.chromium != nil, "needs Debian's chromium (tools/setup installs it)"))
    func chromiumRendersThePageWithoutErrors() async throws {
        let (out, _) = try await makeReport()
        let blank = out.appendingPathComponent("blank.html")
        try "<!DOCTYPE html><html><body></body></html>".write(to: blank, atomically: true, encoding: .utf8)
        func render(_ page: URL, _ png: URL) throws -> String {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: try #require(Self.chromium))
            process.arguments = [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0",
                "--user-data-dir=\(out.appendingPathComponent("chromium-profile").path)", "--screenshot=\(png.path)",
                "--window-size=1200,2000", page.absoluteString,
            ]
            let pipe = Pipe()
            process.standardError = pipe
            process.standardOutput = pipe
            try process.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return String(decoding: data, as: UTF8.self)
        }
        let log = try render(out.appendingPathComponent("index.html"), out.appendingPathComponent("page.png"))
        let console = log.split(separator: "\n").filter { $0.contains(":CONSOLE") }
        #expect(console.isEmpty, "console: \(console)")
        _ = try render(blank, out.appendingPathComponent("blank.png"))
        let page = try Data(contentsOf: out.appendingPathComponent("page.png"))
        let empty = try Data(contentsOf: out.appendingPathComponent("blank.png"))
        #expect(page.starts(with: [0x89, 0x50, 0x4E, 0x47]), "a PNG screenshot")
        #expect(page.count > 5 * empty.count, "screenshot \(page.count) bytes vs blank \(empty.count)")
    }
}

/// A damaged record of a sampled track leaves that track without audio players, named in the
/// outcome, while the page and the other tracks' audio are written.
@Suite struct ReportDamageTests {
    @Test func aDamagedStemLeavesItsTrackWithoutPlayersAndIsNamed() async throws {
        let fixture = try await ExplainStageTests()
        _ = try await fixture.explain(BandEnergyModel())
        let store = try Store.open(at: fixture.storeURL)
        let samples = try ReportSample.select(from: store, filters: QueryFilters(), perGenre: 2)
        let victim = try #require(samples.first?.track)
        let stem = try #require(try store.catalog.arrays(kind: "stem", track: victim).first)
        let shard = ShardFile.url(stem.shard, in: store.shardDirectory)
        var bytes = try Data(contentsOf: shard)
        bytes[Int(stem.offset) + stem.length - 9] ^= 0x77
        try bytes.write(to: shard)

        let out = fixture.root.appendingPathComponent("report-damaged")
        let written = try ReportStage(store: fixture.storeURL, output: out).run()
        let source = try #require(try store.catalog.trackSourcePaths()[victim])
        #expect(written.failures.map(\.track) == [source])
        #expect(written.failures.first?.reason.contains("checksum mismatch") == true, "\(written.failures)")
        #expect(FileManager.default.fileExists(atPath: written.page.path))
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("audio/\(victim.prefix(12))").path))
        #expect(samples.count == 1 || written.audioFiles > 0, "the other sampled tracks still have players")
    }
}

import Foundation
import GRDB
import Store
import TestSupport
import Testing

@testable import Pipeline

/// `stemtrace labels import`: keys by id, path suffix or file name; scales given or detected;
/// values rescaled to [-1, 1]; unmatched rows and bad values reported.
@Suite struct LabelsImportTests {
    let root: URL
    let storeURL: URL
    let ids: [String: String]

    init() async throws {
        root = try Fixtures.temporaryDirectory("labels")
        let corpus = root.appendingPathComponent("corpus")
        storeURL = root.appendingPathComponent("store")
        try FileManager.default.createDirectory(at: corpus.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try TestAudio.writeTone(corpus.appendingPathComponent("a.wav"), seconds: 3, seed: 61)
        try TestAudio.writeTone(corpus.appendingPathComponent("sub/b.wav"), seconds: 3, seed: 62)
        try TestAudio.writeTone(corpus.appendingPathComponent("c.wav"), seconds: 3, seed: 63)
        _ = try await IngestStage(options: IngestOptions(corpus: corpus, store: storeURL)).run(progressMode: .silent)
        let tracks = try Store.open(at: storeURL).catalog.read { db in try TrackRecord.fetchAll(db) }
        ids = Dictionary(uniqueKeysWithValues: tracks.map { (URL(fileURLWithPath: $0.sourcePath).lastPathComponent, $0.id) })
    }

    func write(_ text: String) throws -> URL {
        let url = root.appendingPathComponent("labels-\(UUID().uuidString).csv")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    func labels() throws -> [String: Double] {
        let rows = try Store.open(at: storeURL).catalog.read { db in try LabelRecord.fetchAll(db) }
        return Dictionary(uniqueKeysWithValues: rows.map { ("\($0.trackId)/\($0.name)", $0.value) })
    }

    @Test func detectedScaleIsReportedAndValuesAreRescaled() throws {
        let a = try #require(ids["a.wav"])
        let csv = try write("file,Valence,Arousal,artist\na.wav,7,1,x\nsub/b.wav,4,5.5,y\nc.wav,1,7,z\nmissing.wav,3,3,w\n")
        let summary = try LabelsImport.run(store: storeURL, csv: csv, scales: [:], defaultScale: nil)
        #expect(
            summary.columns["Valence"]?.min == 1 && summary.columns["Valence"]?.max == 7
                && summary.columns["Valence"]?.detected == true)
        #expect(summary.ignoredColumns == ["artist"])
        #expect(summary.unmatched == ["missing.wav"])
        #expect(summary.imported == 6 && summary.tracks == 3)
        let values = try labels()
        #expect(values["\(a)/valence"] == 1 && values["\(a)/arousal"] == -1)
        #expect(values["\(try #require(ids["b.wav"]))/valence"] == 0)
        #expect(values["\(try #require(ids["b.wav"]))/arousal"] == 0.5)
    }

    @Test func givenScalesTrackIdsAndOutOfScaleValues() throws {
        let a = try #require(ids["a.wav"])
        let b = try #require(ids["b.wav"])
        let csv = try write("track_id,valence,rhythm stability\n\(a),0.25,2\n\(b),1.5,10\n")
        let summary = try LabelsImport.run(
            store: storeURL, csv: csv, scales: ["rhythm_stability": 0...10], defaultScale: 0...1)
        #expect(summary.invalid.count == 1 && summary.invalid[0].contains("1.5"))
        let values = try labels()
        #expect(values["\(a)/valence"] == -0.5)
        #expect(abs((values["\(a)/rhythm_stability"] ?? 0) + 0.6) < 1e-12 && values["\(b)/rhythm_stability"] == 1)
        #expect(values["\(b)/valence"] == nil)
    }

    @Test func filesWithoutKeyOrLabelsFailClearly() throws {
        #expect(throws: PipelineError.self) {
            _ = try LabelsImport.run(store: storeURL, csv: try write("name,valence\na.wav,1\n"), scales: [:], defaultScale: nil)
        }
        #expect(throws: PipelineError.self) {
            _ = try LabelsImport.run(store: storeURL, csv: try write("file,mood\na.wav,1\n"), scales: [:], defaultScale: nil)
        }
        #expect(throws: PipelineError.self) {
            _ = try LabelsImport.run(store: storeURL, csv: try write("file,valence\na.wav,250\n"), scales: [:], defaultScale: nil)
        }
    }
}

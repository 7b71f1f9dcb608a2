import Testing

@testable import Separation

@Suite struct StemsTests {
    @Test func stemsMustShareTheExcerptLengthAndBeFinite() throws {
        let ok = try Stems(names: ["a", "b"], signals: [[1, 2], [3, 4]], length: 2, path: "x.wav")
        #expect(ok["b"] == [3, 4] && ok["c"] == nil)
        #expect(throws: SeparationError.lengthMismatch(path: "x.wav", stem: "b", expected: 2, actual: 1)) {
            try Stems(names: ["a", "b"], signals: [[1, 2], [3]], length: 2, path: "x.wav")
        }
        #expect(throws: SeparationError.nonFinite(path: "x.wav", stem: "a")) {
            try Stems(names: ["a"], signals: [[.nan, 2]], length: 2, path: "x.wav")
        }
        #expect(throws: SeparationError.self) { try Stems(names: ["a", "a"], signals: [[1], [2]], length: 1, path: "x.wav") }
    }

    @Test func identityIdIsStableAndChangesWithParameters() {
        struct P: Encodable { var kernel = 63 }
        let a = SeparatorIdentity(name: "bandsplit", version: "1", parameters: P())
        let b = SeparatorIdentity(name: "bandsplit", version: "1", parameters: P(kernel: 15))
        #expect(a.id == SeparatorIdentity(name: "bandsplit", version: "1", parameters: P()).id)
        #expect(a.id != b.id)
        #expect(a.id.hasPrefix("bandsplit@1#") && a.id.count == "bandsplit@1#".count + 12)
    }
}

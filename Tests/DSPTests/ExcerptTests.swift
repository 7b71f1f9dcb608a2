import Testing

@testable import DSP

@Suite struct ExcerptTests {
    @Test func middleWindowOfALongTrack() {
        let e = Excerpt.choose(total: 1_000_000, length: 882_000, sampleRate: 22050, policy: .middle)
        #expect(e.startSample == 59_000 && e.sampleCount == 882_000 && !e.looped)
    }

    @Test func offsetIsClampedToFit() {
        let e = Excerpt.choose(total: 1_000_000, length: 882_000, sampleRate: 22050, policy: .offset(seconds: 100))
        #expect(e.startSample == 118_000)
        let s = Excerpt.choose(total: 1_000_000, length: 882_000, sampleRate: 22050, policy: .offset(seconds: 1))
        #expect(s.startSample == 22050)
    }

    @Test func shortTrackIsKeptWholeAndMarkedLooped() {
        let e = Excerpt.choose(total: 300_000, length: 882_000, sampleRate: 22050, policy: .middle)
        #expect(e.startSample == 0 && e.sampleCount == 300_000 && e.looped)
    }

    @Test func policyParsing() {
        #expect(ExcerptPolicy(argument: "start") == .start)
        #expect(ExcerptPolicy(argument: "offset=12.5") == .offset(seconds: 12.5))
        #expect(ExcerptPolicy(argument: "offset=-1") == nil)
        #expect(ExcerptPolicy(argument: "end") == nil)
    }
}

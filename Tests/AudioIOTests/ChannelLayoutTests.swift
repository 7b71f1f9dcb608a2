import AudioIO
import Testing

/// `DecodedAudio.channels()` splits interleaved frames; `interleaved` puts them back.
@Suite struct ChannelLayoutTests {
    @Test func channelsSplitFramesAndInterleavingRestoresThem() {
        let audio = DecodedAudio(samples: [1, -1, 2, -2, 3, -3], channelCount: 2, sampleRate: 8000)
        #expect(audio.channels() == [[1, 2, 3], [-1, -2, -3]])
        #expect(DecodedAudio.interleaved(audio.channels()) == audio.samples)
        #expect(DecodedAudio(samples: [4, 5], channelCount: 1, sampleRate: 8000).channels() == [[4, 5]])
        #expect(DecodedAudio.interleaved([]) == [])
    }
}

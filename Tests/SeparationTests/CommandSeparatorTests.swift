import AudioIO
import Core
import DSP
import Foundation
import TestSupport
import Testing

@testable import Core
@testable import Separation

/// A fake separation tool written into a fresh temporary directory at test time.
private struct FakeTool {
    let directory: URL
    let path: String

    /// The tool's path quoted for a command template (the directory name contains a space).
    var quoted: String { "'" + path.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    private init(body: String, fileName: String) throws {
        directory = try Fixtures.temporaryDirectory("stemtrace command")
        path = directory.appendingPathComponent(fileName).path
        try body.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
    }

    static func bash(_ body: String) throws -> FakeTool { try FakeTool(body: "#!/bin/bash\n" + body, fileName: "tool.sh") }

    /// The generic python separator: `tool.py INPUT OUTPUT_DIR [other args…] stem=NAME,opt=v,…`.
    /// Per stem: `gain` (scales the input), `extra` (samples of 0.9 appended, or removed when
    /// negative), `bad=nan|inf` (one bad sample), `dir` (sub-directory), `sine44k=HZ` (ignores
    /// the input: a stereo 44.1 kHz sine, left 0.5, right 0.25, as long as the input).
    /// Each run appends a JSON line to `calls.jsonl` beside the tool.
    static func python() throws -> FakeTool { try FakeTool(body: pythonSeparator, fileName: "tool.py") }

    var callsFile: URL { directory.appendingPathComponent("calls.jsonl") }

    func calls() throws -> [Call] {
        guard FileManager.default.fileExists(atPath: callsFile.path) else { return [] }
        return try String(contentsOf: callsFile, encoding: .utf8).split(separator: "\n").map {
            try JSONDecoder().decode(Call.self, from: Data($0.utf8))
        }
    }

    struct Call: Decodable {
        var argv: [String]
        var cwd: String
        var cwdFiles: [String]
        var inputExists: Bool
        var channels: Int
        var rate: Int
        var frames: Int
    }
}

private let pythonSeparator = #"""
    #!/usr/bin/env python3
    import json, math, os, struct, sys

    def read_wav(path):
        with open(path, 'rb') as f:
            data = f.read()
        assert data[:4] == b'RIFF' and data[8:12] == b'WAVE', 'not a WAV'
        pos, fmt, raw = 12, None, b''
        while pos + 8 <= len(data):
            cid = data[pos:pos + 4]
            size = struct.unpack('<I', data[pos + 4:pos + 8])[0]
            body = data[pos + 8:pos + 8 + size]
            if cid == b'fmt ':
                fmt = struct.unpack('<HHIIHH', body[:16])
            elif cid == b'data':
                raw = body
            pos += 8 + size + (size & 1)
        tag, channels, rate, _, _, bits = fmt
        assert tag in (3, 0xFFFE) and bits == 32, 'expected float32, got tag %d bits %d' % (tag, bits)
        n = len(raw) // 4
        return list(struct.unpack('<%df' % n, raw[:n * 4])), channels, rate

    def write_wav(path, samples, channels, rate):
        raw = struct.pack('<%df' % len(samples), *samples)
        fmt = struct.pack('<HHIIHH', 3, channels, rate, rate * channels * 4, channels * 4, 32)
        with open(path, 'wb') as f:
            f.write(b'RIFF' + struct.pack('<I', 4 + 8 + len(fmt) + 8 + len(raw)) + b'WAVE')
            f.write(b'fmt ' + struct.pack('<I', len(fmt)) + fmt)
            f.write(b'data' + struct.pack('<I', len(raw)) + raw)

    here = os.path.dirname(os.path.abspath(__file__))
    inp, out = sys.argv[1], sys.argv[2]
    x, channels, rate = read_wav(inp)
    with open(os.path.join(here, 'calls.jsonl'), 'a') as f:
        f.write(json.dumps({
            'argv': sys.argv[1:], 'cwd': os.getcwd(), 'cwdFiles': sorted(os.listdir('.')),
            'inputExists': os.path.isfile(inp), 'channels': channels, 'rate': rate,
            'frames': len(x) // channels}) + '\n')
    for arg in sys.argv[3:]:
        if not arg.startswith('stem='):
            continue
        o = dict(kv.split('=', 1) for kv in arg.split(','))
        y = [v * float(o.get('gain', '1')) for v in x]
        out_channels, out_rate = 1, rate
        extra = int(o.get('extra', '0'))
        if extra > 0:
            y += [0.9] * extra
        elif extra < 0:
            y = y[:extra]
        if 'bad' in o:
            y[len(y) // 2] = float(o['bad'])
        if 'sine44k' in o:
            hz, out_channels, out_rate = float(o['sine44k']), 2, 44100
            y = []
            for i in range(round(len(x) * 44100 / rate)):
                s = math.sin(2 * math.pi * hz * i / 44100)
                y += [0.5 * s, 0.25 * s]
        d = os.path.join(out, o.get('dir', ''))
        os.makedirs(d, exist_ok=True)
        write_wav(os.path.join(d, o['stem'] + '.wav'), y, out_channels, out_rate)
    """#

private func mixInput(
    seconds: Double = 0.5, sampleRate: Int = 22050, sourcePath: String = "/music/Some Track.flac",
    trackId: String = "0123456789abcdef0123456789abcdef"
) -> SeparationInput {
    let mix = TestAudio.tone(seconds: seconds, sampleRate: sampleRate)
    return SeparationInput(
        mix: mix, sampleRate: sampleRate, sourcePath: sourcePath, trackId: trackId,
        excerpt: Excerpt(policy: .middle, startSample: 0, sampleCount: mix.count, looped: false))
}

/// Runs `separate` and returns its typed error (nil when it succeeded).
private func separationError(_ separator: CommandSeparator, _ input: SeparationInput) async -> SeparationError? {
    do {
        _ = try await separator.separate(input)
        return nil
    } catch {
        return error
    }
}

@Suite struct CommandSeparatorTests {
    @Test func stemsComeBackNamedSortedAndScaled() async throws {
        let tool = try FakeTool.python()
        let separator = try CommandSeparator(
            template: "python3 \(tool.quoted) {input} {output_dir} stem=vocals,gain=0.5 stem=accompaniment,gain=0.25",
            stems: ["vocals": "vocals.wav", "accompaniment": "{stem}.wav"])
        let input = mixInput()
        let stems = try await separator.separate(input)

        #expect(stems.names == ["accompaniment", "vocals"])
        let vocals = try #require(stems["vocals"])
        let accompaniment = try #require(stems["accompaniment"])
        #expect(vocals.count == input.mix.count && accompaniment.count == input.mix.count)
        #expect(worstDifference(vocals, input.mix.map { $0 * 0.5 }).error < 1e-7)
        #expect(worstDifference(accompaniment, input.mix.map { $0 * 0.25 }).error < 1e-7)

        // The tool saw a mono float32 WAV of the excerpt named by the track id, in a private
        // working directory that is gone afterwards.
        let calls = try tool.calls()
        let call = try #require(calls.first)
        #expect(calls.count == 1)
        #expect(call.channels == 1 && call.rate == 22050 && call.frames == input.mix.count && call.inputExists)
        #expect(call.argv[0] == call.cwd + "/\(input.trackId).wav")
        #expect(call.argv[1] == call.cwd + "/out")
        #expect(call.cwdFiles == ["\(input.trackId).wav", "out"])
        #expect(!FileManager.default.fileExists(atPath: call.cwd))
    }

    static let hostileFileNames = [
        "/music/it's a \"test\"; rm -rf x.wav", "/music/$HOME & $(touch pwned) | `id` * ?.flac",
        "/music/-n  two  spaces\tand a tab.mp3", "/music/{output_dir} {input} {name}.ogg", "/music/Sigur Rós — Hoppípolla.wav",
    ]

    @Test(arguments: hostileFileNames)
    func hostileTrackFileNamesNeverReachTheTool(sourcePath: String) async throws {
        let tool = try FakeTool.python()
        let separator = try CommandSeparator(
            template: "\(tool.quoted) {input} {output_dir} \"--name={name}\" {name} stem=vocals",
            stems: ["vocals": "vocals.wav"])
        let input = mixInput(sourcePath: sourcePath)
        let stems = try await separator.separate(input)
        #expect(stems["vocals"] == input.mix)

        let calls = try tool.calls()
        #expect(calls.count == 1)
        let call = try #require(calls.first)
        let id = input.trackId
        #expect(call.argv == [call.cwd + "/" + id + ".wav", call.cwd + "/out", "--name=" + id, id, "stem=vocals"])
        #expect(call.inputExists)
        #expect(call.cwdFiles == [id + ".wav", "out"].sorted())
        #expect(!FileManager.default.fileExists(atPath: call.cwd))
    }

    /// A template that wraps a shell (as conda or demucs wrappers do) sees the track id, so a
    /// file name with command substitution runs nothing.
    @Test func aShellWrappingTemplateRunsNothingHiddenInAFileName() async throws {
        let tool = try FakeTool.python()
        let marker = FileManager.default.temporaryDirectory.appendingPathComponent("pwned-\(UUID().uuidString)")
        let separator = try CommandSeparator(
            template: "/bin/sh -c \"\(tool.quoted) {input} {output_dir} stem=vocals\"", stems: ["vocals": "vocals.wav"])
        let input = mixInput(sourcePath: "/music/$(touch \(marker.path)).wav")
        let stems = try await separator.separate(input)
        #expect(stems["vocals"] == input.mix)
        #expect(!FileManager.default.fileExists(atPath: marker.path))
        let call = try #require(try tool.calls().first)
        #expect(call.argv.first == call.cwd + "/\(input.trackId).wav")
    }

    @Test func nonZeroExitSurfacesTheLastLinesOfStandardError() async throws {
        let tool = try FakeTool.bash(
            """
            for i in $(seq 1 15); do echo "noise $i" >&2; done
            printf 'progress 10%%\\rprogress 100%%\\r\\n' >&2
            echo "RuntimeError: CUDA out of memory" >&2
            echo "this went to stdout"
            pwd > "$(dirname "$0")/cwd.txt"
            exit 3
            """)
        let separator = try CommandSeparator(template: "\(tool.quoted) {input}", stems: ["vocals": "vocals.wav"])
        let input = mixInput()
        let error = await separationError(separator, input)
        let expectedLines = (8...15).map { "noise \($0)" } + ["progress 100%", "RuntimeError: CUDA out of memory"]
        #expect(
            error
                == .toolFailed(
                    path: input.sourcePath, tool: tool.path, status: "exit status 3",
                    output: expectedLines.joined(separator: "\n")))
        #expect(error?.description.contains("CUDA out of memory") == true)
        let cwd = try String(contentsOf: tool.directory.appendingPathComponent("cwd.txt"), encoding: .utf8)
        #expect(cwd.hasPrefix("/") && !FileManager.default.fileExists(atPath: cwd.trimmingCharacters(in: .newlines)))
    }

    @Test func standardOutputExplainsAFailureWhenStandardErrorIsEmpty() async throws {
        let tool = try FakeTool.bash("echo 'usage: tool [-h] input'\necho '  ' >&2\nexit 2\n")
        let separator = try CommandSeparator(template: "\(tool.quoted) {input}", stems: ["vocals": "vocals.wav"])
        let input = mixInput()
        #expect(
            await separationError(separator, input)
                == .toolFailed(path: input.sourcePath, tool: tool.path, status: "exit status 2", output: "usage: tool [-h] input")
        )
    }

    @Test func deathBySignalIsAFailure() async throws {
        let tool = try FakeTool.bash("echo 'about to die' >&2\nkill -KILL $$\n")
        let separator = try CommandSeparator(template: "\(tool.quoted) {input}", stems: ["vocals": "vocals.wav"])
        let input = mixInput()
        #expect(
            await separationError(separator, input)
                == .toolFailed(path: input.sourcePath, tool: tool.path, status: "killed by signal 9", output: "about to die"))
    }

    @Test func aMissingExecutableIsAFailureToStart() async throws {
        let separator = try CommandSeparator(
            template: "stemtrace-no-such-separator-tool {input}", stems: ["vocals": "vocals.wav"])
        let input = mixInput()
        guard case let .toolFailed(path, tool, status, output) = await separationError(separator, input) else {
            Issue.record("expected toolFailed")
            return
        }
        #expect(path == input.sourcePath && tool == "stemtrace-no-such-separator-tool" && status == "could not start")
        #expect(output.contains("stemtrace-no-such-separator-tool"), "\(output)")
    }

    @Test func floodsOfOutputNeitherBlockNorFailTheRun() async throws {
        let tool = try FakeTool.bash(
            """
            head -c 3000000 /dev/zero | tr '\\0' 'o'
            head -c 3000000 /dev/zero | tr '\\0' 'e' >&2
            cp "$1" "$2/vocals.wav"
            """)
        let separator = try CommandSeparator(template: "\(tool.quoted) {input} {output_dir}", stems: ["vocals": "vocals.wav"])
        let input = mixInput()
        #expect(try await separator.separate(input)["vocals"] == input.mix)
    }

    @Test func aFailureAfterFloodsKeepsOnlyABoundedTail() async throws {
        let tool = try FakeTool.bash(
            """
            head -c 3000000 /dev/zero | tr '\\0' 'e' >&2
            echo >&2
            echo "the real reason" >&2
            exit 1
            """)
        let separator = try CommandSeparator(template: "\(tool.quoted) {input}", stems: ["vocals": "vocals.wav"])
        guard case let .toolFailed(_, _, status, output) = await separationError(separator, mixInput()) else {
            Issue.record("expected toolFailed")
            return
        }
        #expect(status == "exit status 1")
        #expect(output.hasSuffix("\nthe real reason") && output.count < 1000)
    }

    @Test func aMissingStemListsWhatTheToolWrote() async throws {
        let tool = try FakeTool.python()
        let separator = try CommandSeparator(
            template: "\(tool.quoted) {input} {output_dir} stem=vocals stem=bass,dir=sub",
            stems: ["vocals": "vocals.wav", "drums": "{stem}.wav"])
        let input = mixInput()
        guard case let .missingStem(path, stem, searched) = await separationError(separator, input) else {
            Issue.record("expected missingStem")
            return
        }
        #expect(path == input.sourcePath && stem == "drums")
        #expect(searched.hasPrefix("drums.wav ") && searched.contains("sub/bass.wav") && searched.contains("vocals.wav"))
    }

    @Test func stemsAreFoundByExactPathOrBySearchingBelowTheOutputDirectory() async throws {
        let tool = try FakeTool.python()
        let separator = try CommandSeparator(
            template:
                "\(tool.quoted) {input} {output_dir} stem=vocals,dir=htdemucs/{name} stem=drums,dir=htdemucs/{name},gain=0.5",
            stems: ["vocals": "htdemucs/{name}/{stem}.wav", "drums": "drums.wav"])
        let input = mixInput(sourcePath: "/music/a b.wav")
        let stems = try await separator.separate(input)
        #expect(stems["vocals"] == input.mix)
        #expect(worstDifference(try #require(stems["drums"]), input.mix.map { $0 * 0.5 }).error < 1e-7)
    }

    @Test func aFileNameFoundTwiceIsAmbiguous() async throws {
        let tool = try FakeTool.python()
        let separator = try CommandSeparator(
            template: "\(tool.quoted) {input} {output_dir} stem=bass,dir=one stem=bass,dir=two",
            stems: ["bass": "bass.wav"])
        let input = mixInput()
        guard case let .invalidStems(path, reason) = await separationError(separator, input) else {
            Issue.record("expected invalidStems")
            return
        }
        #expect(path == input.sourcePath && reason.contains("one/bass.wav") && reason.contains("two/bass.wav"))
    }

    @Test(arguments: [5000, -3000])
    func lengthsBeyondTheToleranceAreRejected(extra: Int) async throws {
        let tool = try FakeTool.python()
        let separator = try CommandSeparator(
            template: "\(tool.quoted) {input} {output_dir} stem=vocals stem=other,extra=\(extra)",
            stems: ["vocals": "vocals.wav", "other": "other.wav"], lengthTolerance: 2205)
        let input = mixInput()
        #expect(
            await separationError(separator, input)
                == .lengthMismatch(
                    path: input.sourcePath, stem: "other", expected: input.mix.count, actual: input.mix.count + extra))
    }

    @Test func smallLengthDifferencesAreTrimmedOrZeroPadded() async throws {
        let tool = try FakeTool.python()
        let separator = try CommandSeparator(
            template: "\(tool.quoted) {input} {output_dir} stem=long,extra=100 stem=short,extra=-100",
            stems: ["long": "long.wav", "short": "short.wav"], lengthTolerance: 100)
        let input = mixInput()
        let n = input.mix.count
        let stems = try await separator.separate(input)
        #expect(stems["long"] == input.mix)  // the appended 0.9s are gone
        let short = try #require(stems["short"])
        #expect(short.count == n)
        #expect(Array(short[..<(n - 100)]) == Array(input.mix[..<(n - 100)]))
        #expect(short[(n - 100)...].allSatisfy { $0 == 0 })
    }

    @Test(arguments: ["nan", "inf", "-inf"])
    func nonFiniteStemSamplesAreRejected(bad: String) async throws {
        let tool = try FakeTool.python()
        let separator = try CommandSeparator(
            template: "\(tool.quoted) {input} {output_dir} stem=vocals stem=other,bad=\(bad)",
            stems: ["vocals": "vocals.wav", "other": "other.wav"])
        let input = mixInput()
        #expect(await separationError(separator, input) == .nonFinite(path: input.sourcePath, stem: "other"))
    }

    @Test func anUndecodableStemIsAnAudioErrorNamingTheTrack() async throws {
        let tool = try FakeTool.bash("echo 'not audio' > \"$2/vocals.wav\"\n")
        let separator = try CommandSeparator(
            template: "\(tool.quoted) {input} {output_dir}", stems: ["vocals": "vocals.wav"])
        let input = mixInput()
        let error = await separationError(separator, input)
        guard case let .audio(.undecodable(path, reason)) = error else {
            Issue.record("expected audio(undecodable), got \(String(describing: error))")
            return
        }
        #expect(path == input.sourcePath && reason.hasPrefix("stem 'vocals': "))
        #expect(error?.path == input.sourcePath)
    }

    @Test func stereo44kStemsAreDownmixedAndResampledToTheExcerptRate() async throws {
        let tool = try FakeTool.python()
        let separator = try CommandSeparator(
            template: "\(tool.quoted) {input} {output_dir} stem=vocals,sine44k=440", stems: ["vocals": "vocals.wav"])
        let input = mixInput(seconds: 1, sampleRate: 22050)
        let vocals = try #require(try await separator.separate(input)["vocals"])
        #expect(vocals.count == input.mix.count)
        // Left 0.5·sin, right 0.25·sin → mean 0.375·sin, now at 22 050 Hz (edges excluded).
        let expected = (0..<vocals.count).map { Float(0.375 * sin(2 * Double.pi * 440 * Double($0) / 22050)) }
        let middle = 1000..<(vocals.count - 1000)
        let worst = worstDifference(Array(vocals[middle]), Array(expected[middle]))
        #expect(worst.error < 1e-3, "worst \(worst)")
        let calls = try tool.calls()
        #expect(calls.first?.rate == 22050)
    }

    @Test func aToolThatOutlivesTheTimeoutIsStoppedWithItsChildren() async throws {
        let tool = try FakeTool.bash(
            """
            sleep 300 &
            echo $! > "$(dirname "$0")/child.pid"
            wait
            """)
        let separator = try CommandSeparator(
            template: "\(tool.quoted) {input}", stems: ["vocals": "vocals.wav"], timeout: .seconds(1))
        let input = mixInput()
        let clock = ContinuousClock()
        let start = clock.now
        let error = await separationError(separator, input)
        let elapsed = clock.now - start
        #expect(error == .timeout(path: input.sourcePath, tool: tool.path, seconds: 1))
        #expect(elapsed < .seconds(250), "took \(elapsed)")  // the tool would run 300 s; slack for a starved test run

        #if os(Linux)
            // The background `sleep` was in the tool's process group and is gone (or a zombie) too.
            let pidText = try String(contentsOf: tool.directory.appendingPathComponent("child.pid"), encoding: .utf8)
            let pid = try #require(Int32(pidText.trimmingCharacters(in: .whitespacesAndNewlines)))
            var alive = true
            for _ in 0..<50 {
                let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
                alive = stat.map { !$0.contains(") Z ") } ?? false
                if !alive { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            if alive { kill(pid, SIGKILL) }
            #expect(!alive, "the tool's child \(pid) survived the timeout")
        #endif
    }

    @Test func aToolThatExitsButLeavesAChildHoldingItsOutputDoesNotHang() async throws {
        let tool = try FakeTool.bash(
            """
            cp "$1" "$2/vocals.wav"
            sleep 300 &
            echo $! > "$(dirname "$0")/child.pid"
            exit 0
            """)
        let separator = try CommandSeparator(
            template: "\(tool.quoted) {input} {output_dir}", stems: ["vocals": "vocals.wav"], timeout: .seconds(200))
        let input = mixInput()
        let clock = ContinuousClock()
        let start = clock.now
        let stems = try await separator.separate(input)
        let elapsed = clock.now - start
        if let pidText = try? String(contentsOf: tool.directory.appendingPathComponent("child.pid"), encoding: .utf8),
            let pid = Int32(pidText.trimmingCharacters(in: .whitespacesAndNewlines))
        {
            kill(pid, SIGKILL)
        }
        #expect(stems["vocals"] == input.mix)
        #expect(elapsed < .seconds(250), "took \(elapsed)")  // the tool would run 300 s; slack for a starved test run
    }

    @Test func cancellingTheCallerStopsTheTool() async throws {
        let tool = try FakeTool.bash("sleep 300\n")
        let separator = try CommandSeparator(template: "\(tool.quoted) {input}", stems: ["vocals": "vocals.wav"])
        let input = mixInput()
        let clock = ContinuousClock()
        let start = clock.now
        let task = Task { await separationError(separator, input) }
        try await Task.sleep(for: .milliseconds(500))
        task.cancel()
        let error = await task.value
        #expect(error == .toolFailed(path: input.sourcePath, tool: tool.path, status: "cancelled", output: ""))
        #expect(clock.now - start < .seconds(250))  // the tool would run 300 s; slack for a starved test run
    }

    @Test func identityRecordsTemplateStemsAndToleranceButNotTheTimeout() throws {
        let a = try CommandSeparator(
            template: "demucs -o {output_dir} {input}", stems: ["vocals": "v/{stem}.wav", "drums": "drums.wav"],
            name: "demucs")
        #expect(a.identity.name == "demucs" && a.identity.version == "1")
        #expect(
            a.identity.parameters
                == #"{"lengthTolerance":2205,"stems":{"drums":"drums.wav","vocals":"v/{stem}.wav"},"template":"demucs -o {output_dir} {input}"}"#
        )
        let slower = try CommandSeparator(
            template: "demucs -o {output_dir} {input}", stems: ["drums": "drums.wav", "vocals": "v/{stem}.wav"],
            timeout: .seconds(5), name: "demucs")
        #expect(slower.identity == a.identity)
        let looser = try CommandSeparator(
            template: "demucs -o {output_dir} {input}", stems: ["vocals": "v/{stem}.wav", "drums": "drums.wav"],
            lengthTolerance: 10, name: "demucs")
        #expect(looser.identity.id != a.identity.id)
        let otherTemplate = try CommandSeparator(
            template: "demucs -n mdx -o {output_dir} {input}", stems: ["vocals": "v/{stem}.wav", "drums": "drums.wav"],
            name: "demucs")
        #expect(otherTemplate.identity.id != a.identity.id)
        #expect(try CommandSeparator(template: "t {input}", stems: ["a": "a.wav"]).identity.name == "command")
    }

    @Test func unusableConfigurationsAreRejectedUpFront() {
        #expect(throws: CommandTemplateError.missingInputPlaceholder(template: "spleeter -o {output_dir}")) {
            try CommandSeparator(template: "spleeter -o {output_dir}", stems: ["vocals": "vocals.wav"])
        }
        #expect(throws: CommandTemplateError.unbalancedQuote(template: "t '{input}", quote: "'", position: 2)) {
            try CommandSeparator(template: "t '{input}", stems: ["vocals": "vocals.wav"])
        }
        #expect(throws: CommandTemplateError.invalidStems(reason: "no stems given")) {
            try CommandSeparator(template: "t {input}", stems: [:])
        }
        #expect(throws: CommandTemplateError.self) { try CommandSeparator(template: "t {input}", stems: ["v": "/abs/v.wav"]) }
        #expect(throws: CommandTemplateError.self) { try CommandSeparator(template: "t {input}", stems: ["v": "../v.wav"]) }
        #expect(throws: CommandTemplateError.self) { try CommandSeparator(template: "t {input}", stems: ["v": ""]) }
        #expect(throws: CommandTemplateError.self) {
            try CommandSeparator(template: "t {input}", stems: ["v": "v.wav"], lengthTolerance: -1)
        }
        #expect(throws: CommandTemplateError.self) {
            try CommandSeparator(template: "t {input}", stems: ["v": "v.wav"], timeout: .zero)
        }
    }

    @Test func outputTailsKeepTheLastLinesAsATerminalShowsThem() {
        let text = "a\r\nb\n\n  c  \n 10%\r 50%\r100%\r\n" + String(repeating: "x", count: 600) + "\nlast"
        #expect(OutputTail.lastLines(text, count: 3) == "100%\n" + String(repeating: "x", count: 500) + "…\nlast")
        #expect(OutputTail.lastLines(text) == "a\nb\nc\n100%\n" + String(repeating: "x", count: 500) + "…\nlast")
        #expect(OutputTail.lastLines("\n \r\n") == "")
    }

    @Test func inputNamesAreTheTrackIdOrInputWhenTheIdIsUnusable() {
        #expect(CommandSeparator.inputName(trackId: "0123abcdef") == "0123abcdef")
        #expect(CommandSeparator.inputName(trackId: "a_b-C") == "a_b-C")
        #expect(CommandSeparator.inputName(trackId: "") == "input")
        #expect(CommandSeparator.inputName(trackId: "../x") == "input")
        #expect(CommandSeparator.inputName(trackId: "$(id)") == "input")
        #expect(CommandSeparator.inputName(trackId: "é") == "input")
        #expect(CommandSeparator.inputName(trackId: String(repeating: "a", count: 129)) == "input")
    }

    @Test(arguments: ["../../x", "Vocals", "lead vocals", ".hidden", "a/b", ""])
    func stemNamesOutsideTheRuleAreRefused(name: String) {
        #expect(throws: CommandTemplateError.self) {
            _ = try CommandSeparator(template: "tool {input} {output_dir}", stems: [name: "x.wav"])
        }
    }

    /// A tool's stems pass through `Stems`, which refuses names outside `StemName`'s rule.
    @Test func stemsWithAnUnsafeNameAreRefused() {
        #expect(throws: SeparationError.self) {
            _ = try Stems(names: ["../../x"], signals: [[0, 1]], length: 2, path: "/music/a.wav")
        }
        #expect(StemName.isValid("vocals") && StemName.isValid("drums_2") && StemName.isValid("left-hand"))
    }
}

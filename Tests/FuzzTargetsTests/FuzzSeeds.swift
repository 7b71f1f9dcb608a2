import AudioIO
import Core
import DSP
import Foundation
import FuzzTargets
import Inference
import Store
import TestSupport
import Testing

/// The seed corpus in Tests/Fixtures/fuzz, as code: small valid inputs of every kind each reader
/// takes, and slightly broken ones next to each check. `tools/fuzzing/make_seeds.sh` writes them; the
/// committed files are what the fuzzers and `FuzzReplayTests` read (encoders may change their bytes
/// between library versions, so the files are not compared with a fresh generation).
///
/// Names follow the convention that `FuzzReplayTests` checks: `valid-…` must be read, `invalid-…`
/// must be refused; for csv, `metadata-…` must load as `--metadata` and `labels-…` as labels.
enum FuzzSeeds {
    static func all() throws -> [String: [(name: String, bytes: Data)]] {
        [
            "safetensors": try safetensors(),
            "shard-record": try shardRecords(),
            "csv": csv(),
            "audio": try audio(),
        ]
    }

    // MARK: safetensors

    static func safetensors() throws -> [(name: String, bytes: Data)] {
        func tensor(_ dtype: DType, _ shape: [Int]) throws -> Tensor {
            let count = (Tensor.byteCount(shape: shape, dtype: dtype) ?? 0)
            return try Tensor(dtype: dtype, shape: shape, bytes: Data((0..<count).map { UInt8(truncatingIfNeeded: $0 &* 37) }))
        }
        /// A file with a hand-written header (not padded, as some writers leave it).
        func file(_ header: String, data: Int) -> Data {
            var out = Data()
            withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { out.append(contentsOf: $0) }
            out.append(contentsOf: Array(header.utf8))
            out.append(contentsOf: (0..<data).map { UInt8(truncatingIfNeeded: $0) })
            return out
        }
        let matrix = Safetensors.encode(["weight": Tensor(floats: (0..<12).map(Float.init), shape: [3, 4])])
        var pastEnd = matrix
        pastEnd.replaceSubrange(0..<8, with: [0x40, 0x42, 0x0F, 0, 0, 0, 0, 0])
        return [
            ("valid-f32-matrix.safetensors", matrix),
            (
                "valid-all-dtypes-metadata.safetensors",
                Safetensors.encode(
                    [
                        "f32": try tensor(.f32, [2]), "f64": try tensor(.f64, [2]), "i64": try tensor(.i64, [2]),
                        "i32": try tensor(.i32, [3]), "i16": try tensor(.i16, [2, 2]), "u8": try tensor(.u8, [5]),
                    ],
                    metadata: ["format": "pt", "kind": "rf-resnet"])
            ),
            (
                "valid-scalar-and-empty.safetensors",
                Safetensors.encode(["scalar": try tensor(.f32, []), "empty": try tensor(.f32, [0, 5])])
            ),
            ("valid-metadata-only.safetensors", Safetensors.encode([:], metadata: ["note": "no tensors"])),
            (
                "valid-escaped-names.safetensors",
                Safetensors.encode(["bass/\u{0394}": try tensor(.u8, [2]), "say \"hi\"\n\\": try tensor(.i16, [1])])
            ),
            (
                "valid-hand-written-header.safetensors",
                file(
                    #"{ "b" : {"dtype":"U8","shape":[2],"data_offsets":[4,6]},"#
                        + #" "a":{"data_offsets":[0,4],"shape":[1],"dtype":"F32"} }"#,
                    data: 6)
            ),
            ("invalid-short.safetensors", Data([1, 0, 0])),
            ("invalid-header-length-past-end.safetensors", pastEnd),
            ("invalid-truncated-data.safetensors", matrix.dropLast(4)),
            ("invalid-not-json.safetensors", file(#"{"a": {"dtype": "F32", "shape": [1"#, data: 4)),
            ("invalid-header-not-object.safetensors", file("[1, 2]", data: 0)),
            ("invalid-unknown-dtype.safetensors", file(#"{"a":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]}}"#, data: 4)),
            ("invalid-negative-shape.safetensors", file(#"{"a":{"dtype":"U8","shape":[-1,4],"data_offsets":[0,4]}}"#, data: 4)),
            (
                "invalid-shape-overflow.safetensors",
                file(#"{"a":{"dtype":"F64","shape":[9223372036854775807,2],"data_offsets":[0,16]}}"#, data: 16)
            ),
            ("invalid-offsets-size.safetensors", file(#"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: 12)),
            (
                "invalid-overlap.safetensors",
                file(
                    #"{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"b":{"dtype":"U8","shape":[4],"data_offsets":[2,6]}}"#,
                    data: 6)
            ),
            ("invalid-fractional-offset.safetensors", file(#"{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4.5]}}"#, data: 5)),
            ("invalid-metadata-not-strings.safetensors", file(#"{"__metadata__":{"a":1}}"#, data: 0)),
        ]
    }

    // MARK: shard records

    /// A record's bytes built field by field (docs/FORMAT.md), for what `ShardRecord.encode` never
    /// writes (no codec, a forged size); the checksums are set by `withChecksumsFixed`.
    static func record(
        codec: UInt8 = 0, filter: UInt8 = 0, dtype: DType, shape: [Int64], rawLength: Int, payload: [UInt8],
        headerLength: Int? = nil
    ) -> [UInt8] {
        var out: [UInt8] = Array("STRC".utf8)
        func put<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { out += $0 } }
        put(UInt16(1))
        out += [codec, filter, dtype.code, UInt8(shape.count), 0, 0]
        put(UInt32(headerLength ?? ShardRecord.headerLength(ndim: shape.count)))
        put(UInt64(rawLength))
        put(UInt64(payload.count))
        put(UInt64(0))
        for d in shape { put(d) }
        put(UInt32(0))
        return ShardRecordFuzzTarget.withChecksumsFixed(out + payload)
    }

    static func shardRecords() throws -> [(name: String, bytes: Data)] {
        let smooth = Tensor(floats: (0..<256).map { Float(sin(Double($0) / 9)) }, shape: [4, 64])
        let encoded = try ShardRecord.encode(smooth).serialized()
        let ints = try ShardRecord.encode(Tensor(int64s: (0..<64).map(Int64.init), shape: [64])).serialized()
        let doubles = try Tensor(
            dtype: .f64, shape: [2, 3, 4], bytes: Data((0..<24).flatMap { i in withUnsafeBytes(of: Double(i) / 7) { Array($0) } })
        )
        let scalar = try Tensor(dtype: .i32, shape: [], bytes: Data([42, 0, 0, 0]))
        let empty = try Tensor(dtype: .f32, shape: [0, 149], bytes: Data())
        let header = ShardRecord.headerLength(ndim: 2)

        var badMagic = encoded
        badMagic[0] = UInt8(ascii: "X")
        var version = encoded
        version[4] = 2
        var headerDamage = encoded
        headerDamage[40] ^= 1
        var payloadDamage = encoded
        payloadDamage[header + 10] ^= 0xFF
        // The LZ4 frame of 1 KiB claimed as 2 KiB of floats, with correct checksums.
        let frame = Array(encoded[header...])
        return [
            ("valid-f32-lz4.strc", Data(encoded)),
            ("valid-i64-lz4.strc", Data(ints)),
            ("valid-f64-3d.strc", Data(try ShardRecord.encode(doubles).serialized())),
            ("valid-i32-scalar.strc", Data(try ShardRecord.encode(scalar).serialized())),
            ("valid-f32-empty.strc", Data(try ShardRecord.encode(empty).serialized())),
            ("valid-u8-uncompressed.strc", Data(record(dtype: .u8, shape: [3, 5], rawLength: 15, payload: Array(0..<15)))),
            (
                "valid-i16-uncompressed-shuffled.strc",
                Data(record(filter: 1, dtype: .i16, shape: [6], rawLength: 12, payload: Array(0..<12)))
            ),
            ("invalid-bad-magic.strc", Data(badMagic)),
            ("invalid-version.strc", Data(ShardRecordFuzzTarget.withChecksumsFixed(version))),
            ("invalid-header-checksum.strc", Data(headerDamage)),
            ("invalid-payload-checksum.strc", Data(payloadDamage)),
            ("invalid-truncated-payload.strc", Data(encoded.prefix(header + frame.count / 2))),
            (
                "invalid-forged-raw-length.strc",
                Data(record(codec: 1, dtype: .f32, shape: [512], rawLength: 2048, payload: frame))
            ),
            (
                "invalid-forged-lz4-garbage.strc",
                Data(
                    record(
                        codec: 1, dtype: .u8, shape: [64], rawLength: 64,
                        payload: (0..<48).map { UInt8(truncatingIfNeeded: $0 &* 91) }))
            ),
            (
                "invalid-forged-huge-raw-length.strc",
                Data(record(codec: 1, dtype: .u8, shape: [(1 << 31) + 1], rawLength: (1 << 31) + 1, payload: frame))
            ),
            (
                "invalid-forged-shape-overflow.strc",
                Data(record(dtype: .f32, shape: [1 << 62, 4], rawLength: 16, payload: Array(repeating: 0, count: 16)))
            ),
            (
                "invalid-forged-header-length.strc",
                Data(record(dtype: .u8, shape: [4], rawLength: 4, payload: [1, 2, 3, 4], headerLength: 60))
            ),
        ]
    }

    // MARK: csv

    static func csv() -> [(name: String, bytes: Data)] {
        let files: [(String, String)] = [
            ("metadata-basic.csv", "path,genre,artist\na.wav,rock;pop,Ann\nmusic/b.flac,jazz,Bo\n"),
            (
                "metadata-quoted-crlf.csv",
                "file,Genre,title\r\n\"a.wav\",\"folk, world\",\"She said \"\"hi\"\"\"\r\nmusic/b.flac,blues,\"two\r\nlines\"\r\n"
            ),
            ("metadata-semicolons.csv", "file;genre;year\na.wav;ambient|drone;1999\n"),
            ("metadata-tabs.tsv", "filename\tgenre\na.wav\tclassical\n"),
            ("metadata-bom.csv", "\u{FEFF}file_name,genre\na.wav,Électronique\n"),
            ("metadata-ragged-rows.csv", "path,genre,extra\na.wav,metal\nmusic/b.flac,punk,x,y,z\n,,\n"),
            ("labels-basic.csv", "file,valence,arousal\na.wav,0.5,0.25\nmusic/b.flac,0.75,1\n"),
            (
                "labels-mid-level.csv",
                "track_id,melodiousness,Rhythm Stability,tonal-stability,minorness,"
                    + "articulation,dissonance,rhythm_complexity,mood\n"
                    + "0123abcd,1,2,3,4,5,6,7,happy\n4567ef01,7,6,5,4,3,2,1,sad\n"
            ),
            ("labels-with-bad-values.csv", "path,valence,arousal\na.wav,nan,0.5\nb.wav,inf,seven\nc.wav,-1,1e0\n"),
            ("seed-labels-outside-every-scale.csv", "file,valence\na.wav,250\n"),
            ("seed-no-key-column.csv", "name,valence\na.wav,1\n"),
            ("invalid-empty.csv", ""),
            ("invalid-bad-quote.csv", "path,genre\n\"a.wav\"x,rock\n"),
        ]
        var out = files.map { (name: $0.0, bytes: Data($0.1.utf8)) }
        out.append((name: "invalid-not-utf8.csv", bytes: Data([0x66, 0x69, 0x6C, 0x65, 0x0A, 0xFF, 0xFE, 0xC3, 0x28, 0x0A])))
        return out
    }

    // MARK: audio

    static func audio() throws -> [(name: String, bytes: Data)] {
        let directory = try Fixtures.temporaryDirectory("fuzz-seeds")
        defer { try? FileManager.default.removeItem(at: directory) }
        func written(
            _ samples: [Float], channels: Int = 1, rate: Int = 8000, _ format: AudioWriter.Format, tags: [String: String] = [:]
        )
            throws -> Data
        {
            let url = directory.appendingPathComponent(UUID().uuidString)
            try AudioWriter.write(samples, channels: channels, sampleRate: rate, format: format, to: url.path, tags: tags)
            return try Data(contentsOf: url)
        }
        let tone = TestAudio.tone(seconds: 0.1, sampleRate: 8000)
        let wav = try written(tone, .wav16)
        let flac = try written(TestAudio.tone(seconds: 0.25, sampleRate: 8000, seed: 2), .flac16)
        // FLAC's STREAMINFO claims 70 s (560 000 frames, 36 bits from bit 4 of byte 21), past the 60-s limit.
        var longFLAC = flac
        longFLAC[21] &= 0xF0
        longFLAC.replaceSubrange(22..<26, with: [0x00, 0x08, 0x8B, 0x80])
        // A WAV whose header declares more frames than follow, all of them zero.
        let silent = TestAudio.pcm16Wav(Array(repeating: 0, count: 400), sampleRate: 8000).prefix(44 + 200)
        var random = SplitMix64(seed: 7)
        return [
            ("valid-wav16-mono.wav", wav),
            (
                "valid-wav-float-stereo.wav",
                try written(TestAudio.tone(seconds: 0.05, sampleRate: 8000, channels: 2), channels: 2, .wavFloat)
            ),
            (
                "valid-wav16-tagged.wav",
                try written(tone, .wav16, tags: ["title": "Seed", "artist": "stemtrace", "genre": "test"])
            ),
            ("valid-wav16-44100.wav", TestAudio.pcm16Wav((0..<256).map { Int16($0 * 97 % 4000) }, sampleRate: 44100)),
            ("valid-flac.flac", flac),
            ("valid-ogg-vorbis.ogg", try written(TestAudio.tone(seconds: 0.25, sampleRate: 8000, seed: 3), .oggVorbis)),
            ("valid-au-pcm16.au", au((0..<200).map { Int16($0 * 131 % 3000) }, rate: 8000)),
            ("invalid-empty.mp3", Data()),
            ("invalid-random-bytes.mp3", Data((0..<512).map { _ in UInt8(random.next() % 0xF0) })),
            ("invalid-one-hertz.wav", TestAudio.pcm16Wav([1, 2, 3, 4], sampleRate: 1)),
            ("invalid-96khz.wav", TestAudio.pcm16Wav((0..<256).map { Int16($0) }, sampleRate: 96000)),
            // libsndfile reads a WAV whose data chunk claims more than the file holds as the shorter file.
            ("seed-truncated.wav", wav.prefix(wav.count / 2)),
            ("invalid-truncated.flac", flac.prefix(flac.count / 2)),
            ("invalid-too-long-header.flac", longFLAC),
            (
                "invalid-three-channels.wav",
                try written(TestAudio.tone(seconds: 0.02, sampleRate: 8000, channels: 3), channels: 3, .wav16)
            ),
            ("invalid-nan.wav", try written([0.1, .nan, 0.2, 0.3], .wavFloat)),
            ("seed-silent-truncated.wav", Data(silent)),
        ]
    }

    /// A Sun/NeXT .au file: big-endian 16-bit linear PCM, mono.
    static func au(_ samples: [Int16], rate: Int) -> Data {
        var out = Data(".snd".utf8)
        for v in [24, samples.count * 2, 3, rate, 1] { withUnsafeBytes(of: UInt32(v).bigEndian) { out.append(contentsOf: $0) } }
        for s in samples { withUnsafeBytes(of: s.bigEndian) { out.append(contentsOf: $0) } }
        return out
    }
}

/// Writes the seed corpus (tools/fuzzing/make_seeds.sh sets STEMTRACE_WRITE_FUZZ_SEEDS=1); skipped
/// otherwise, so `swift test` never rewrites fixtures.
@Suite struct FuzzSeedWriter {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["STEMTRACE_WRITE_FUZZ_SEEDS"] == "1"))
    func writeSeedCorpus() throws {
        for (target, seeds) in try FuzzSeeds.all() {
            let folder = Fixtures.url("fuzz/\(target)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for file in FuzzEntry.files(at: folder) where file.deletingLastPathComponent().lastPathComponent != "crashes" {
                try FileManager.default.removeItem(at: file)
            }
            for seed in seeds {
                #expect(seed.bytes.count <= 8192, "\(target)/\(seed.name) is \(seed.bytes.count) bytes")
                try seed.bytes.write(to: folder.appendingPathComponent(seed.name))
            }
        }
    }
}

import AudioIO
import DSP
import Foundation

/// A folder of stem files beside a mixture, as separation data sets ship them.
///
/// Two layouts are common and both work unchanged:
/// - MUSDB18-HQ: a folder per track with `mixture.wav` and `vocals.wav drums.wav bass.wav other.wav`;
/// - the maintainers' corpus: a folder per piece with `mixture.flac` and
///   `vocals.flac drums.flac bass.flac piano.flac other.flac`.
///
/// Every audio file in the folder (any extension in `AudioDecoder.audioExtensions`, case-insensitive;
/// hidden files skipped) except the mixture is a stem, named by its file name without extension,
/// lower-cased. Stems are listed in the order vocals, drums, bass, piano, other, then any others
/// alphabetically.
///
/// ```swift
/// let folder = try StemFolder(mixture: URL(fileURLWithPath: "/data/hh01/mixture.flac"))
/// let stems = try folder.load(sampleRate: 22050, excerpt: excerpt)
/// ```
public struct StemFolder: Sendable {
    /// One stem file in the folder.
    public struct StemFile: Sendable, Equatable {
        /// The stem name: the file name without extension, lower-cased.
        public let name: String
        public let url: URL
    }

    /// The folder holding the stems.
    public let directory: URL
    /// The mixture file the folder was opened for (`nil` when opened by directory).
    public let mixture: URL?
    /// The stem files, in stem order.
    public let files: [StemFile]

    /// Samples (at the target rate) by which a stem may fall short of the others or of the excerpt
    /// window: it is zero-padded. Resampling rounds lengths up by at most one sample, so a few are plenty.
    public static let lengthTolerance = 8

    /// Stems that come first, in this order; any other stem follows alphabetically.
    public static let conventionalOrder = ["vocals", "drums", "bass", "piano", "other"]

    /// The path errors name: the mixture when known, else the folder.
    public var errorPath: String { mixture?.path ?? directory.path }

    /// The stem names, in stem order.
    public var names: [String] { files.map(\.name) }

    /// Finds the stems beside `mixture`. With `expecting`, every listed stem must be present.
    /// Throws `.invalidStems` when the folder holds no stem (or two files with the same stem name)
    /// and `.missingStem` for an expected stem that is absent; errors name the mixture.
    public init(mixture: URL, expecting: [String]? = nil) throws(SeparationError) {
        try self.init(directory: mixture.deletingLastPathComponent(), mixture: mixture, expecting: expecting)
    }

    /// Finds the stems in `directory` (any `mixture.*` in it is not a stem); errors name the folder.
    public init(directory: URL, expecting: [String]? = nil) throws(SeparationError) {
        try self.init(directory: directory, mixture: nil, expecting: expecting)
    }

    private init(directory: URL, mixture: URL?, expecting: [String]?) throws(SeparationError) {
        let path = mixture?.path ?? directory.path
        let entries: [URL]
        do {
            entries = try FileManager.default.contentsOfDirectory(
                at: directory, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles])
        } catch {
            throw .io(path: path, reason: "cannot list stem folder \(directory.path): \(error.localizedDescription)")
        }
        var found: [String: URL] = [:]
        for url in entries.sorted(by: { $0.lastPathComponent < $1.lastPathComponent }) {
            guard AudioDecoder.audioExtensions.contains(url.pathExtension.lowercased()), !Self.isMixture(url) else { continue }
            if let mixture, url.standardizedFileURL.path == mixture.standardizedFileURL.path { continue }
            let isFile = (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) ?? false
            guard isFile else { continue }
            let name = url.deletingPathExtension().lastPathComponent.lowercased()
            if let other = found[name] {
                throw .invalidStems(
                    path: path, reason: "two files for stem '\(name)': \(other.lastPathComponent) and \(url.lastPathComponent)")
            }
            found[name] = url
        }
        if let expecting {
            for name in expecting where found[name.lowercased()] == nil {
                let extensions = AudioDecoder.audioExtensions.sorted().joined(separator: ",")
                throw .missingStem(
                    path: path, stem: name, searched: directory.appendingPathComponent("\(name).{\(extensions)}").path)
            }
        }
        guard !found.isEmpty else {
            throw .invalidStems(path: path, reason: "no stem files beside the mixture in \(directory.path)")
        }
        self.directory = directory
        self.mixture = mixture
        self.files = Self.ordered(Array(found.keys)).compactMap { name in found[name].map { StemFile(name: name, url: $0) } }
    }

    /// True when the file is a mixture: its name without extension is `mixture`, in any case.
    public static func isMixture(_ url: URL) -> Bool {
        url.deletingPathExtension().lastPathComponent.lowercased() == "mixture"
    }

    /// Stem names in stem order: `conventionalOrder` first, then the rest alphabetically.
    public static func ordered(_ names: [String]) -> [String] {
        let known = conventionalOrder.filter(names.contains)
        return known + names.filter { !conventionalOrder.contains($0) }.sorted()
    }

    /// Decodes every stem, down-mixes it (channel mean), resamples it to `sampleRate` (soxr HQ, as
    /// ingest prepares the mixture) and, with `excerpt`, cuts `excerpt.range`.
    ///
    /// All stems must have the same resampled length within `lengthTolerance` samples; a stem that
    /// is that little shorter than the longest (or than the end of the excerpt window) is
    /// zero-padded. Anything more is `.lengthMismatch`. Decoding failures are `.invalidStems`
    /// naming the mixture (or folder) and, in the reason, the stem file.
    public func load(sampleRate: Int, excerpt: Excerpt?) throws(SeparationError) -> Stems {
        let resampler = Resampler(quality: .high)
        var signals: [[Float]] = []
        var fullLengths: [Int] = []
        for file in files {
            let mono: [Float]
            do throws(AudioError) {
                let decoded = try AudioDecoder.decode(path: file.url.path)
                mono = try resampler.resample(decoded.downmixed(), from: decoded.sampleRate, to: sampleRate, path: file.url.path)
            } catch {
                throw .invalidStems(
                    path: errorPath, reason: "cannot read stem '\(file.name)' (\(file.url.path)): \(error.reason)")
            }
            fullLengths.append(mono.count)
            if let excerpt {
                // Keep only the window, so memory stays at one excerpt per stem.
                let end = min(mono.count, excerpt.range.upperBound)
                signals.append(excerpt.startSample < end ? Array(mono[excerpt.startSample..<end]) : [])
            } else {
                signals.append(mono)
            }
        }
        let longest = fullLengths.max() ?? 0
        for (file, length) in zip(files, fullLengths) where longest - length > Self.lengthTolerance {
            throw .lengthMismatch(path: errorPath, stem: file.name, expected: longest, actual: length)
        }
        let target: Int
        if let excerpt {
            target = excerpt.sampleCount
            for (file, length) in zip(files, fullLengths) where excerpt.range.upperBound - length > Self.lengthTolerance {
                throw .lengthMismatch(path: errorPath, stem: file.name, expected: excerpt.range.upperBound, actual: length)
            }
        } else {
            target = longest
        }
        for i in signals.indices where signals[i].count < target {
            signals[i].append(contentsOf: repeatElement(0, count: target - signals[i].count))
        }
        return try Stems(names: names, signals: signals, length: target, path: errorPath)
    }
}

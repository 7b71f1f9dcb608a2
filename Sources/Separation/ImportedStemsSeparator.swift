import Foundation

/// Stems that already exist as files beside each mixture (MUSDB18-HQ, the maintainers' corpus, or
/// the output of a separator run elsewhere): nothing is separated, the sibling stem files of the
/// track's file are decoded, down-mixed, resampled and cut to the track's excerpt window exactly as
/// ingest prepares the mixture (see `StemFolder`).
///
/// Import only mixtures (`StemFolder.isMixture`): a stem file imported as a track would find its
/// siblings, the mixture excluded, and be "separated" into them.
public struct ImportedStemsSeparator: Separator {
    /// Stems every mixture must have (lower-case names); `nil` accepts whatever each folder holds.
    public let expectedStems: [String]?

    private struct Parameters: Encodable {
        var expectedStems: [String]?
        var lengthTolerance: Int
    }

    public init(expectedStems: [String]? = nil) {
        self.expectedStems = expectedStems.map { $0.map { $0.lowercased() } }
    }

    public var identity: SeparatorIdentity {
        SeparatorIdentity(
            name: "import", version: "1",
            parameters: Parameters(expectedStems: expectedStems, lengthTolerance: StemFolder.lengthTolerance))
    }

    /// Loads the stems beside `input.sourcePath` cut to `input.excerpt` at `input.sampleRate`; each
    /// must be as long as `input.mix` (after `StemFolder.lengthTolerance` zero-padding). Errors name
    /// the mixture.
    public func separate(_ input: SeparationInput) async throws(SeparationError) -> Stems {
        let mixture = URL(fileURLWithPath: input.sourcePath)
        let folder = try StemFolder(mixture: mixture, expecting: expectedStems)
        let stems = try folder.load(sampleRate: input.sampleRate, excerpt: input.excerpt)
        for (name, signal) in zip(stems.names, stems.signals) where signal.count != input.mix.count {
            throw .lengthMismatch(path: input.sourcePath, stem: name, expected: input.mix.count, actual: signal.count)
        }
        return stems
    }
}

import Core

/// The default separator: spleeter's vocals, and the built-in bandsplit recipe applied to the
/// rest (excerpt − spleeter's vocals) for drums, bass and other.
///
/// spleeter 2-stem is the only neural model whose weights a package registry offers; its vocals
/// are far better than bandsplit's, while bandsplit still splits the accompaniment into the three
/// sources the paper's explanations name. Bandsplit's own `vocals` of the rest (its fluctuating
/// high-band share: no voice is left in the rest) joins `other`, so the four stems add up to the
/// excerpt exactly, up to float rounding.
public struct SpleeterBandsplitSeparator: Separator {
    public let spleeter: SpleeterSeparator
    public let bandsplit: BandsplitSeparator

    public static let stemNames = ["vocals", "drums", "bass", "other"]

    public init(spleeter: SpleeterSeparator, bandsplit: BandsplitSeparator = BandsplitSeparator()) {
        self.spleeter = spleeter
        self.bandsplit = bandsplit
    }

    struct Parameters: Codable {
        var spleeter: String
        var bandsplit: String
    }

    public var identity: SeparatorIdentity {
        SeparatorIdentity(
            name: "spleeter+bandsplit", version: "1",
            parameters: Parameters(spleeter: spleeter.identity.id, bandsplit: bandsplit.identity.id))
    }

    public func prepareInBackground() { spleeter.prepareInBackground() }

    public func separate(_ input: SeparationInput) async throws(SeparationError) -> Stems {
        guard let vocalsIndex = spleeter.model.instruments.firstIndex(of: "vocals") else {
            throw .invalidStems(
                path: input.sourcePath,
                reason: "the spleeter model has no 'vocals' stem (it has \(spleeter.model.instruments.joined(separator: ", ")))")
        }
        let network = try spleeter.networkStems(input)
        let vocals = network[vocalsIndex]
        let rest = zip(input.mix, vocals).map { $0 - $1 }
        let split = bandsplit.split(rest, sampleRate: input.sampleRate)
        let other = zip(split.other, split.vocals).map { $0 + $1 }
        return try Stems(
            names: Self.stemNames, signals: [vocals, split.drums, split.bass, other], length: input.mix.count,
            path: input.sourcePath)
    }
}

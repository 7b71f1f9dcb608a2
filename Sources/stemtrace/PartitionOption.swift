import ArgumentParser
import Store

/// `--partition k/N`, shared by ingest, infer, explain and tag: work on one of N disjoint shares
/// of the tracks (by a stable hash of the track), so a job array can fan a corpus out.
struct PartitionOption: ParsableArguments {
    // A transform rather than ExpressibleByArgument: its error says why the value was rejected.
    @Option(
        help: ArgumentHelp(
            "Only the tracks of partition k of N (partition key mod N = k, 0 ≤ k < N), e.g. one task of a job array.",
            valueName: "k/N"),
        transform: { text in try Partition(parsing: text) })
    var partition: Partition?

    /// ", N outside partition k/N" for a summary line (empty without a partition).
    func outsideNote(_ count: Int) -> String {
        partition.map { ", \(count) outside partition \($0)" } ?? ""
    }
}

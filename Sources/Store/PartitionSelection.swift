/// Keeps the items (excerpts, arrays, tracks) whose track belongs to a partition, for the stages
/// that take `--partition k/N` over a store.
public enum PartitionSelection {
    /// The items in `partition` (all of them when it is nil), in order, and how many were left out.
    public static func select<T>(_ items: [T], in partition: Partition?, trackId: (T) -> String) -> (inside: [T], outside: Int) {
        guard let partition else { return (items, 0) }
        let inside = items.filter { partition.contains(trackId: trackId($0)) }
        return (inside, items.count - inside.count)
    }
}

/// Python's `sorted(items, key=..., reverse=True)` on a list of indices: descending by key, ties
/// keeping their position in `items` (the sort is stable even when reversed). Used for lime's
/// 'highest_weights' order and for the order of `local_exp` (docs/EXPLAIN.md, which follows audioLIME: steps 5a and 5e).
enum StableOrder {
    static func descending(_ items: [Int], by key: (Int) -> Double) -> [Int] {
        let keyed = items.enumerated().map { (position: $0.offset, item: $0.element, key: key($0.element)) }
        return keyed.sorted { a, b in a.key != b.key ? a.key > b.key : a.position < b.position }.map(\.item)
    }
}

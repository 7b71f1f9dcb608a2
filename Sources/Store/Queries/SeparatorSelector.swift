/// How a `--separator` value picks among separator ids (`name@version#hash`): a separator's exact
/// name selects it even when another name starts the same way (`spleeter` beside
/// `spleeter+bandsplit`); anything else is an id prefix. Explain and the queries both use it.
public enum SeparatorSelector {
    public static func matching(_ ids: [String], _ selector: String?) -> [String] {
        guard let selector else { return ids }
        let named = ids.filter { $0.hasPrefix(selector + "@") }
        return named.isEmpty ? ids.filter { $0.hasPrefix(selector) } : named
    }
}

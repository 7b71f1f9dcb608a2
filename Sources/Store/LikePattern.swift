/// A SQL `LIKE` pattern that matches values starting with a literal prefix: `%`, `_` and the
/// escape character `\` in the prefix are escaped, so an id prefix typed by a user (`--model`,
/// `--track`, `--config`) never acts as a wildcard. Use it with `LIKE ? ESCAPE '\'`
/// (https://sqlite.org/lang_expr.html#like).
///
/// ```swift
/// try ExplanationRecord.fetchAll(db, sql: "SELECT * FROM explanations WHERE track_id LIKE ? ESCAPE '\\'",
///                                arguments: [LikePattern.prefix(track)])
/// ```
public enum LikePattern {
    /// The SQL that follows `LIKE ?` for patterns made here.
    public static let escapeClause = "ESCAPE '\\'"

    /// `prefix` with its wildcards escaped, followed by `%`.
    public static func prefix(_ prefix: String) -> String {
        var out = ""
        for c in prefix {
            if c == "%" || c == "_" || c == "\\" { out.append("\\") }
            out.append(c)
        }
        return out + "%"
    }
}

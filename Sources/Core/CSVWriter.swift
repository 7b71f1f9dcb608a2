/// Writes comma-separated values as RFC 4180 quotes them: a field holding a comma, a double
/// quote, CR or LF is enclosed in double quotes with its quotes doubled; every other field is
/// written as it is. Records end with LF (not RFC 4180's CRLF), as every stemtrace CSV always has.
/// The one CSV writer of every command (`query --format csv`, `export`, `eval separation`).
public enum CSVWriter {
    /// One field, quoted when it must be.
    public static func field(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else {
            return value
        }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// One record: the fields quoted and joined, with its line ending.
    public static func record(_ fields: [String]) -> String { fields.map(field).joined(separator: ",") + "\n" }

    /// A header record and the data records.
    public static func document(header: [String], rows: [[String]]) -> String {
        record(header) + rows.map(record).joined()
    }
}

/// Escaping of arbitrary text for XML character data and attribute values (and so also for HTML).
public enum XMLEscaping {
    /// `text` with `&`, `<`, `>`, `"` and `'` replaced by their predefined entities, and every character that
    /// XML 1.0 does not allow in a document (C0 controls other than tab, line feed and carriage return, and
    /// U+FFFE/U+FFFF) replaced by U+FFFD, so that the result is always well-formed wherever it is inserted.
    public static func escaped(_ text: String) -> String {
        var result = ""
        result.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            case "\t", "\n", "\r": result.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF {
                    result.unicodeScalars.append("\u{FFFD}")
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result
    }
}

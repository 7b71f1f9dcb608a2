/// The rule every stem name follows: `[a-z0-9_-]+`, at most 64 characters. Stem names come from
/// users (`--separator-stems`), external tools and stem file names, and become parts of file
/// names (`stem-<name>.ogg`, exported arrays), so anything that could leave a directory (`../x`),
/// hide (`.x`) or need quoting is refused rather than cleaned up.
public enum StemName {
    public static let maxLength = 64

    public static func isValid(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= maxLength
            && name.utf8.allSatisfy {
                ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9"))
                    || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-")
            }
    }

    /// Why `name` is refused, for messages.
    public static func rule(_ name: String) -> String {
        "stem name \(String(reflecting: name)) is not allowed: a stem name is 1–\(maxLength) characters of a–z, 0–9, _ and -"
    }
}

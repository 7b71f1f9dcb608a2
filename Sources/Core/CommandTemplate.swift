/// A command line for an external tool, split into arguments once and filled in per track.
///
/// The template is split like a POSIX shell splits words, but no shell ever runs:
///
/// - Unquoted spaces, tabs and newlines separate words.
/// - `'…'` keeps everything literally up to the next `'` (a backslash is an ordinary character).
/// - `"…"` keeps everything literally except that a backslash escapes `"`, `\`, `$` and
///   `` ` `` (and a backslash-newline is removed); before any other character it stays.
/// - Outside quotes a backslash makes the next character literal; a backslash-newline is removed.
/// - Quotes join with adjacent text (`--out="a b"` is one word) and `''` or `""` is an empty word.
/// - Nothing else is special: `;`, `|`, `&`, `<`, `>`, `$VAR`, `*`, `~` and `#` are literal
///   characters of the word they stand in. There is no globbing, no variable expansion, no
///   command substitution, no redirection and no comments.
///
/// After splitting, the placeholders are replaced inside every word (quoted or not) in a single
/// pass, so a substituted value is never split, never re-parsed and never substituted again:
///
/// - `{input}`: absolute path of the track's excerpt as a float32 WAV (required).
/// - `{output_dir}`: absolute path of an empty directory the tool writes its stems into.
/// - `{name}`: the excerpt's file name without extension (the track's own file name stem).
///
/// Any other `{…}` text is passed through unchanged (demucs, for example, takes
/// `--filename "{track}/{stem}.{ext}"`). The first word is the executable: looked up in `PATH`
/// unless it contains a `/`, in which case it is used as a path.
public struct CommandTemplate: Sendable, Hashable {
    /// The template as written.
    public let template: String
    /// The split words, placeholders not yet substituted; `words[0]` is the executable.
    public let words: [String]

    /// The placeholders substituted by `arguments(input:outputDirectory:name:)`.
    public static let placeholders = ["{input}", "{output_dir}", "{name}"]

    /// Splits `template` and checks that it names an executable and uses `{input}`.
    public init(_ template: String) throws(CommandTemplateError) {
        let words = try Self.parse(template)
        guard let first = words.first, !first.isEmpty else { throw .noExecutable(template: template) }
        guard words.contains(where: { $0.contains("{input}") }) else {
            throw .missingInputPlaceholder(template: template)
        }
        self.template = template
        self.words = words
    }

    /// Every word, executable first, with placeholders substituted.
    public func arguments(input: String, outputDirectory: String, name: String) -> [String] {
        let values = ["{input}": input, "{output_dir}": outputDirectory, "{name}": name]
        return words.map { Self.substitute(values, in: $0) }
    }

    /// Splits a template into words (see the type's rules). Throws on an unterminated quote or a
    /// backslash at the very end. Works on Unicode scalars, so a combining mark after a quote
    /// cannot hide it.
    public static func parse(_ template: String) throws(CommandTemplateError) -> [String] {
        var words: [String] = []
        var word = String.UnicodeScalarView()
        var inWord = false  // true once a word has started, even if it is still empty (`''`)
        var scalars = template.unicodeScalars[...]
        var position = 0

        func next() -> Unicode.Scalar? {
            guard let c = scalars.popFirst() else { return nil }
            position += 1
            return c
        }

        while let c = next() {
            switch c {
            case " ", "\t", "\n", "\r":
                if inWord {
                    words.append(String(word))
                    word = String.UnicodeScalarView()
                    inWord = false
                }
            case "\\":
                guard let escaped = next() else { throw .danglingBackslash(template: template) }
                if escaped != "\n" {
                    word.append(escaped)
                    inWord = true
                }
            case "'":
                let start = position - 1
                inWord = true
                while true {
                    guard let q = next() else { throw .unbalancedQuote(template: template, quote: "'", position: start) }
                    if q == "'" { break }
                    word.append(q)
                }
            case "\"":
                let start = position - 1
                inWord = true
                while true {
                    guard let q = next() else { throw .unbalancedQuote(template: template, quote: "\"", position: start) }
                    if q == "\"" { break }
                    guard q == "\\" else {
                        word.append(q)
                        continue
                    }
                    guard let escaped = next() else {
                        throw .unbalancedQuote(template: template, quote: "\"", position: start)
                    }
                    switch escaped {
                    case "\"", "\\", "$", "`": word.append(escaped)
                    case "\n": break
                    default:
                        word.append("\\")
                        word.append(escaped)
                    }
                }
            default:
                word.append(c)
                inWord = true
            }
        }
        if inWord { words.append(String(word)) }
        return words
    }

    /// Replaces each known placeholder in one left-to-right pass; substituted text is not rescanned.
    public static func substitute(_ values: [String: String], in word: String) -> String {
        guard word.contains("{") else { return word }
        var result = ""
        var rest = word[...]
        while let open = rest.firstIndex(of: "{") {
            result += rest[..<open]
            let tail = rest[open...]
            if let close = tail.firstIndex(of: "}"), let value = values[String(tail[...close])] {
                result += value
                rest = tail[tail.index(after: close)...]
            } else {
                result.append("{")
                rest = tail.dropFirst()
            }
        }
        result += rest
        return result
    }
}

/// Why a command separator's template or stem map cannot be used.
public enum CommandTemplateError: Error, Equatable, CustomStringConvertible {
    /// A `'` or `"` opened at `position` (counted in Unicode scalars from 0) is never closed.
    case unbalancedQuote(template: String, quote: Character, position: Int)
    /// The template ends with a lone backslash.
    case danglingBackslash(template: String)
    /// The template has no words, or its first word is empty.
    case noExecutable(template: String)
    /// No word contains `{input}`, so the tool could never see the track.
    case missingInputPlaceholder(template: String)
    /// The stem map is empty, or a stem's name or file pattern is unusable.
    case invalidStems(reason: String)
    /// A negative length tolerance or a non-positive timeout.
    case invalidLimit(reason: String)

    public var description: String {
        switch self {
        case let .unbalancedQuote(t, q, o):
            "command template \(Self.quoted(t)): unbalanced \(q) quote opened at position \(o)"
        case let .danglingBackslash(t): "command template \(Self.quoted(t)): ends with a lone backslash"
        case let .noExecutable(t): "command template \(Self.quoted(t)): no executable (the first word is missing or empty)"
        case let .missingInputPlaceholder(t):
            "command template \(Self.quoted(t)): no {input} placeholder, so the tool would never see the track"
        case let .invalidStems(r): "command separator stems: \(r)"
        case let .invalidLimit(r): "command separator: \(r)"
        }
    }

    private static func quoted(_ s: String) -> String { String(reflecting: s) }
}

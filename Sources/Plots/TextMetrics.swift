/// Text width estimates for layout, without font files: SVG output cannot know the font the viewer will pick,
/// so widths are estimated generously (0.6 em per Latin character, 1 em per East Asian wide character or emoji)
/// and long labels are cut to fit.
enum TextMetrics {
    static let ellipsis = "\u{2026}"

    /// Estimated advance width in px of `text` at `fontSize`.
    static func width(of text: String, fontSize: Double) -> Double {
        text.reduce(0) { $0 + characterWidth($1) } * fontSize
    }

    /// `text` if its estimated width fits in `maximumWidth`, otherwise its longest prefix that fits together with a
    /// trailing ellipsis ("…" alone if nothing else fits). Cuts between grapheme clusters, never inside one.
    static func truncated(_ text: String, toWidth maximumWidth: Double, fontSize: Double) -> String {
        guard width(of: text, fontSize: fontSize) > maximumWidth else { return text }
        let budget = maximumWidth / fontSize - characterWidth("\u{2026}")
        var used = 0.0
        var prefix = ""
        for character in text {
            let advance = characterWidth(character)
            if used + advance > budget { break }
            used += advance
            prefix.append(character)
        }
        while prefix.last?.isWhitespace == true { prefix.removeLast() }
        return prefix + ellipsis
    }

    /// Width in em of one grapheme cluster.
    private static func characterWidth(_ character: Character) -> Double {
        guard let scalar = character.unicodeScalars.first else { return 0 }
        switch scalar.value {
        case 0x1100...0x115F, 0x2E80...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
            0xFFE0...0xFFE6, 0x1F300...0x1FAFF, 0x20000...0x3FFFD:
            return 1.0
        default:
            return 0.6
        }
    }
}

/// A plain-text table for the terminal: columns padded to their widest cell, separated by a fixed
/// gap, optionally with a rule of dashes under the header. Every command that prints a table uses
/// this one renderer, so tables align the same way everywhere.
public struct TextTable: Sendable {
    /// How the cells of a column line up.
    public enum Alignment: Sendable { case left, right }

    public var header: [String]
    public var rows: [[String]]
    /// Per column; columns past the end of this list are left-aligned.
    public var alignments: [Alignment]
    /// Spaces between columns.
    public var gap: Int
    /// Draws a line of dashes, as wide as each column, under the header.
    public var rule: Bool

    public init(header: [String], rows: [[String]], alignments: [Alignment] = [], gap: Int = 2, rule: Bool = true) {
        self.header = header
        self.rows = rows
        self.alignments = alignments
        self.gap = max(0, gap)
        self.rule = rule
    }

    /// Width of each column: its widest cell (header included), in characters.
    public var widths: [Int] {
        let count = ([header] + rows).map(\.count).max() ?? 0
        var widths = [Int](repeating: 0, count: count)
        for row in [header] + rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        return widths
    }

    /// The table's lines (header, optional rule, rows), each without trailing spaces.
    public func lines() -> [String] {
        let widths = widths
        let separator = String(repeating: " ", count: gap)
        func line(_ cells: [String]) -> String {
            let padded = cells.enumerated().map { i, cell in
                let fill = String(repeating: " ", count: max(0, widths[i] - cell.count))
                return (i < alignments.count && alignments[i] == .right) ? fill + cell : cell + fill
            }
            var text = padded.joined(separator: separator)
            while text.last == " " { text.removeLast() }
            return text
        }
        var out = [line(header)]
        if rule { out.append(line(widths.map { String(repeating: "-", count: $0) })) }
        out += rows.map(line)
        return out
    }

    /// The lines joined, each ended by a newline.
    public func render() -> String { lines().map { $0 + "\n" }.joined() }
}

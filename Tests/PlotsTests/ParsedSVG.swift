import Foundation
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// One element of a parsed SVG: name, attributes, its own character data (children's text excluded) and the
/// name of its parent.
struct ParsedElement {
    let name: String
    let attributes: [String: String]
    var text: String
    let parent: String?
    /// Text of a `<title>` child (the tooltip), "" if none.
    var tooltip: String

    var className: String? { attributes["class"] }

    func number(_ attribute: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Double {
        let text = try #require(attributes[attribute], "\(name) has no \(attribute)", sourceLocation: sourceLocation)
        return try #require(Double(text), "\(name).\(attribute) = \(text) is not a number", sourceLocation: sourceLocation)
    }
}

/// An SVG string parsed with Foundation's XMLParser (libxml2 on Linux): parsing fails on anything not well-formed.
struct ParsedSVG {
    let elements: [ParsedElement]

    init(_ svg: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let parser = XMLParser(data: Data(svg.utf8))
        let collector = Collector()
        parser.delegate = collector
        let parsed = parser.parse()
        #expect(parsed, "not well-formed XML: \(String(describing: parser.parserError))", sourceLocation: sourceLocation)
        try #require(parsed && collector.failure == nil, sourceLocation: sourceLocation)
        elements = collector.elements
    }

    var root: ParsedElement? { elements.first }

    func all(_ name: String, class className: String? = nil) -> [ParsedElement] {
        elements.filter { $0.name == name && (className == nil || $0.className == className) }
    }

    /// All character data and attribute values, for searching.
    var allText: [String] {
        elements.flatMap { [$0.text] + Array($0.attributes.values) }
    }
}

private final class Collector: NSObject, XMLParserDelegate {
    var elements: [ParsedElement] = []
    var failure: Error?
    private var stack: [Int] = []

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        let parent = stack.last.map { elements[$0].name }
        elements.append(ParsedElement(name: elementName, attributes: attributes, text: "", parent: parent, tooltip: ""))
        stack.append(elements.count - 1)
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        guard let index = stack.last else { return }
        elements[index].text += string
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        guard let index = stack.popLast() else { return }
        if elementName == "title", let parent = stack.last, parent != 0 {
            elements[parent].tooltip = elements[index].text
        }
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
        failure = parseError
    }
}

/// Whether `svg` contains a spelling of a non-finite number: "nan", "inf" or "infinity" in any case as a whole word
/// (letters on neither side, so "dissonance" does not count but "-inf", "x=\"NaN\"" and "1,nan" do).
func containsNonFiniteText(_ svg: String) -> Bool {
    svg.split(whereSeparator: { !$0.isLetter }).contains { ["nan", "inf", "infinity"].contains($0.lowercased()) }
}

/// Deterministic pseudo-random numbers (SplitMix64) for example data.
struct SplitMix64 {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func uniform() -> Double {
        Double(next() >> 11) / Double(UInt64(1) << 53)
    }

    /// Standard normal (Box–Muller).
    mutating func normal() -> Double {
        let u = max(uniform(), 1e-300)
        let v = uniform()
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }
}

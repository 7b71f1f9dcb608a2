/// A standalone SVG 1.1 document, built element by element as a value.
///
/// Every piece of text is XML-escaped and every number goes through `PlotNumberFormat`, so the output is
/// well-formed and locale-independent. An element with a NaN or infinite coordinate cannot be drawn: it is
/// left out and counted in `droppedNonFiniteCount` (a polyline loses only its non-finite vertices and is split
/// there), so the text "nan" or "inf" never reaches the output. The root element carries `width`, `height`,
/// `viewBox`, a font-family fallback list, and `<title>` and `<desc>` as its first children, which screen
/// readers and SVG viewers use as the image's name and description.
public struct SVGDocument: Sendable, Equatable {
    /// A sans-serif fallback list that covers Linux (DejaVu, Liberation), macOS and Windows.
    public static let defaultFontFamilies = [
        "DejaVu Sans", "Helvetica Neue", "Helvetica", "Arial", "Liberation Sans", "sans-serif",
    ]

    public let size: PlotSize
    public let title: String
    public let description: String
    public let fontFamilies: [String]
    /// Elements (or polyline vertices) left out because a coordinate or length was not finite.
    public private(set) var droppedNonFiniteCount = 0
    private var elements: [String] = []

    public init(size: PlotSize, title: String, description: String, fontFamilies: [String] = defaultFontFamilies) {
        self.size = size
        self.title = title
        self.description = description
        self.fontFamilies = fontFamilies
    }

    /// The number of elements added so far (not counting the root, `<title>` and `<desc>`).
    public var elementCount: Int { elements.count }

    /// A rectangle; a negative width or height is turned into a positive one extending the other way.
    public mutating func rect(
        x: Double, y: Double, width: Double, height: Double, style: SVGStyle, className: String? = nil,
        tooltip: String? = nil
    ) {
        let left = width < 0 ? x + width : x
        let top = height < 0 ? y + height : y
        emit(
            "rect",
            [.number("x", left), .number("y", top), .number("width", width.magnitude), .number("height", height.magnitude)],
            style: style, className: className, tooltip: tooltip)
    }

    /// A straight line segment.
    public mutating func line(from start: PlotPoint, to end: PlotPoint, style: SVGStyle, className: String? = nil) {
        emit(
            "line", [.number("x1", start.x), .number("y1", start.y), .number("x2", end.x), .number("y2", end.y)],
            style: style, className: className, tooltip: nil)
    }

    /// A circle; a negative radius is dropped like a non-finite one.
    public mutating func circle(
        center: PlotPoint, radius: Double, style: SVGStyle, className: String? = nil, tooltip: String? = nil
    ) {
        guard radius >= 0 else {
            droppedNonFiniteCount += 1
            return
        }
        emit(
            "circle", [.number("cx", center.x), .number("cy", center.y), .number("r", radius)], style: style,
            className: className, tooltip: tooltip)
    }

    /// An open polyline through `points`. Non-finite vertices are dropped and split the line into runs; runs of a
    /// single vertex are not drawn.
    public mutating func polyline(_ points: [PlotPoint], style: SVGStyle, className: String? = nil) {
        var run: [String] = []
        func flush(_ document: inout SVGDocument) {
            if run.count >= 2 {
                document.emit(
                    "polyline", [.text("points", run.joined(separator: " "))], style: style, className: className,
                    tooltip: nil)
            }
            run.removeAll()
        }
        for point in points {
            if let x = PlotNumberFormat.coordinate(point.x), let y = PlotNumberFormat.coordinate(point.y) {
                run.append(x + "," + y)
            } else {
                droppedNonFiniteCount += 1
                flush(&self)
            }
        }
        flush(&self)
    }

    /// A single line of text anchored at `position`. `tooltip` (e.g. the full text of a truncated label) becomes
    /// a `<title>` child.
    public mutating func text(
        _ content: String, at position: PlotPoint, style: SVGTextStyle, className: String? = nil, tooltip: String? = nil
    ) {
        var attributes: [Attribute] = [.number("x", position.x), .number("y", position.y)]
        if let dy = style.baseline.dy { attributes.append(.text("dy", dy)) }
        attributes.append(.number("font-size", style.fontSize))
        if style.bold { attributes.append(.text("font-weight", "bold")) }
        if style.anchor != .start { attributes.append(.text("text-anchor", style.anchor.rawValue)) }
        attributes.append(.text("fill", style.color.description))
        if style.rotation != 0 {
            guard let angle = PlotNumberFormat.coordinate(style.rotation), let x = PlotNumberFormat.coordinate(position.x),
                let y = PlotNumberFormat.coordinate(position.y)
            else {
                droppedNonFiniteCount += 1
                return
            }
            attributes.append(.text("transform", "rotate(\(angle) \(x) \(y))"))
        }
        emit("text", attributes, style: nil, className: className, tooltip: tooltip, content: content)
    }

    /// The document as a string. With `xmlDeclaration` (the default) it starts with
    /// `<?xml version="1.0" encoding="UTF-8"?>`, for a standalone .svg file; without, it can be placed inline in
    /// an HTML page. Either way the root has the SVG namespace, so the same text is also a valid .svg file.
    public func render(xmlDeclaration: Bool = true) -> String {
        let w = PlotNumberFormat.coordinate(size.width) ?? "0"
        let h = PlotNumberFormat.coordinate(size.height) ?? "0"
        var lines: [String] = []
        if xmlDeclaration { lines.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>") }
        lines.append(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"\(w)\" height=\"\(h)\" viewBox=\"0 0 \(w) \(h)\""
                + " font-family=\"\(XMLEscaping.escaped(Self.fontFamilyList(fontFamilies)))\">")
        lines.append("<title>\(XMLEscaping.escaped(title))</title>")
        lines.append("<desc>\(XMLEscaping.escaped(description))</desc>")
        lines.append(contentsOf: elements)
        lines.append("</svg>")
        return lines.joined(separator: "\n") + "\n"
    }

    /// CSS font-family syntax: generic families bare, other names quoted (quotes and backslashes inside a name
    /// are dropped rather than escaped, as no real family name contains them).
    static func fontFamilyList(_ families: [String]) -> String {
        let generic: Set<String> = ["serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui"]
        let names = families.compactMap { family -> String? in
            let cleaned = family.filter { $0 != "'" && $0 != "\"" && $0 != "\\" && $0 != "," && $0 != ";" }
            if cleaned.isEmpty { return nil }
            return generic.contains(cleaned) ? cleaned : "'" + cleaned + "'"
        }
        return names.isEmpty ? "sans-serif" : names.joined(separator: ", ")
    }

    private enum Attribute {
        case number(String, Double)
        case text(String, String)
    }

    private mutating func emit(
        _ name: String, _ attributes: [Attribute], style: SVGStyle?, className: String?, tooltip: String?,
        content: String? = nil
    ) {
        var parts = ["<" + name]
        if let className { parts.append("class=\"\(XMLEscaping.escaped(className))\"") }
        for attribute in attributes {
            switch attribute {
            case let .number(key, value):
                guard let spelled = PlotNumberFormat.coordinate(value) else {
                    droppedNonFiniteCount += 1
                    return
                }
                parts.append("\(key)=\"\(spelled)\"")
            case let .text(key, value): parts.append("\(key)=\"\(XMLEscaping.escaped(value))\"")
            }
        }
        if let style { parts.append(contentsOf: Self.styleAttributes(style)) }
        let open = parts.joined(separator: " ")
        let tooltipElement = tooltip.map { "<title>\(XMLEscaping.escaped($0))</title>" } ?? ""
        if content == nil && tooltip == nil {
            elements.append(open + "/>")
        } else {
            elements.append(open + ">" + tooltipElement + XMLEscaping.escaped(content ?? "") + "</\(name)>")
        }
    }

    private static func styleAttributes(_ style: SVGStyle) -> [String] {
        var parts = ["fill=\"\(style.fill?.description ?? "none")\""]
        if let opacity = style.fillOpacity, opacity >= 0,
            let spelled = PlotNumberFormat.fixed(min(opacity, 1), decimals: 3, trimmingZeros: true)
        {
            parts.append("fill-opacity=\"\(spelled)\"")
        }
        if let stroke = style.stroke {
            parts.append("stroke=\"\(stroke.description)\"")
            if let width = style.strokeWidth, width >= 0, let spelled = PlotNumberFormat.coordinate(width) {
                parts.append("stroke-width=\"\(spelled)\"")
            }
            let dashes = style.dashPattern.compactMap { $0 >= 0 ? PlotNumberFormat.coordinate($0) : nil }
            if !dashes.isEmpty && dashes.count == style.dashPattern.count {
                parts.append("stroke-dasharray=\"\(dashes.joined(separator: ","))\"")
            }
        }
        return parts
    }
}

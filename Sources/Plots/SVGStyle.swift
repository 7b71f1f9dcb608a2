/// Fill and stroke of a shape. Non-finite or negative widths and opacities are left out of the output.
public struct SVGStyle: Sendable, Equatable {
    /// nil: `fill="none"`.
    public var fill: SVGColor?
    public var fillOpacity: Double?
    /// nil: no stroke.
    public var stroke: SVGColor?
    public var strokeWidth: Double?
    /// Dash and gap lengths in px; empty for a solid stroke.
    public var dashPattern: [Double]

    public init(
        fill: SVGColor? = nil, fillOpacity: Double? = nil, stroke: SVGColor? = nil, strokeWidth: Double? = nil,
        dashPattern: [Double] = []
    ) {
        self.fill = fill
        self.fillOpacity = fillOpacity
        self.stroke = stroke
        self.strokeWidth = strokeWidth
        self.dashPattern = dashPattern
    }

    /// A filled shape without outline.
    public static func filled(_ color: SVGColor, opacity: Double? = nil) -> SVGStyle {
        SVGStyle(fill: color, fillOpacity: opacity)
    }

    /// An outline (or a line) without fill.
    public static func stroked(_ color: SVGColor, width: Double = 1, dashPattern: [Double] = []) -> SVGStyle {
        SVGStyle(stroke: color, strokeWidth: width, dashPattern: dashPattern)
    }
}

/// How a text element is drawn: size, colour, weight, horizontal anchor, vertical alignment and rotation.
public struct SVGTextStyle: Sendable, Equatable {
    /// SVG `text-anchor`.
    public enum Anchor: String, Sendable {
        case start, middle, end
    }

    /// Where the given y lies relative to the glyphs. Implemented with `dy` offsets in em, which every SVG
    /// renderer honours (unlike `dominant-baseline`).
    public enum Baseline: Sendable {
        /// y is the alphabetic baseline.
        case alphabetic
        /// y is the vertical centre of lower/upper-case letters.
        case central
        /// y is the top of capital letters.
        case hanging

        var dy: String? {
            switch self {
            case .alphabetic: nil
            case .central: "0.35em"
            case .hanging: "0.75em"
            }
        }
    }

    public var fontSize: Double
    public var color: SVGColor
    public var bold: Bool
    public var anchor: Anchor
    public var baseline: Baseline
    /// Degrees, clockwise positive, about the text's anchor point (e.g. -90 for a y-axis title).
    public var rotation: Double

    public init(
        fontSize: Double = 11, color: SVGColor = .ink, bold: Bool = false, anchor: Anchor = .start,
        baseline: Baseline = .alphabetic, rotation: Double = 0
    ) {
        self.fontSize = fontSize
        self.color = color
        self.bold = bold
        self.anchor = anchor
        self.baseline = baseline
        self.rotation = rotation
    }
}

/// An opaque sRGB colour, spelled "#RRGGBB" in SVG output.
public struct SVGColor: Sendable, Hashable, CustomStringConvertible {
    public let red: UInt8
    public let green: UInt8
    public let blue: UInt8

    public init(red: UInt8, green: UInt8, blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    /// A colour from 24 bits, e.g. `SVGColor(0xE69F00)`; bits above the 24th are ignored.
    public init(_ rgb: UInt32) {
        red = UInt8((rgb >> 16) & 0xFF)
        green = UInt8((rgb >> 8) & 0xFF)
        blue = UInt8(rgb & 0xFF)
    }

    /// "#RRGGBB", upper-case hexadecimal.
    public var description: String {
        let digits = Array("0123456789ABCDEF")
        var text = "#"
        for component in [red, green, blue] {
            text.append(digits[Int(component >> 4)])
            text.append(digits[Int(component & 0x0F)])
        }
        return text
    }

    public static let black = SVGColor(0x000000)
    public static let white = SVGColor(0xFFFFFF)
    /// Text and axis lines (contrast 12.6:1 on white).
    public static let ink = SVGColor(0x333333)
    /// Light grid lines.
    public static let grid = SVGColor(0xE0E0E0)
}

/// The Okabe–Ito palette (Okabe & Ito 2008, "Color Universal Design"), distinguishable under the common
/// forms of colour-vision deficiency. `series` orders it for data series: yellow, the weakest on a white
/// background, comes last, and black is left for axes and reference lines.
public enum OkabeIto {
    public static let orange = SVGColor(0xE69F00)
    public static let skyBlue = SVGColor(0x56B4E9)
    public static let bluishGreen = SVGColor(0x009E73)
    public static let yellow = SVGColor(0xF0E442)
    public static let blue = SVGColor(0x0072B2)
    public static let vermillion = SVGColor(0xD55E00)
    public static let reddishPurple = SVGColor(0xCC79A7)
    public static let black = SVGColor(0x000000)

    /// Colours for series 0, 1, 2, …
    public static let series: [SVGColor] = [blue, orange, bluishGreen, vermillion, skyBlue, reddishPurple, yellow]

    /// The colour of series `index`; past the seventh series the colours repeat (line charts then also vary
    /// the dash pattern, see `cycle(ofSeries:)`).
    public static func color(ofSeries index: Int) -> SVGColor {
        series[((index % series.count) + series.count) % series.count]
    }

    /// How many times the colours have wrapped around by series `index` (0 for the first seven series).
    public static func cycle(ofSeries index: Int) -> Int {
        max(index, 0) / series.count
    }
}

import Testing

@testable import Plots

@Suite struct SVGDocumentTests {
    static let hostile = "<script>alert('x')</script> & \"quoted\""

    @Test func escapesTheFiveXMLCharactersAndInvalidControls() {
        #expect(XMLEscaping.escaped("<script>&\"'") == "&lt;script&gt;&amp;&quot;&apos;")
        #expect(XMLEscaping.escaped("a\u{0}b\u{1B}c\u{FFFE}") == "a\u{FFFD}b\u{FFFD}c\u{FFFD}")
        #expect(XMLEscaping.escaped("tab\tline\nok é 🎵") == "tab\tline\nok é 🎵")
        #expect(XMLEscaping.escaped("&amp;") == "&amp;amp;")
    }

    @Test func numbersAreFixedDecimalsWithoutLocaleOrNonFinite() {
        #expect(PlotNumberFormat.fixed(0.125, decimals: 2) == "0.13")
        #expect(PlotNumberFormat.fixed(-2.5, decimals: 0) == "-3")
        #expect(PlotNumberFormat.fixed(-0.001, decimals: 2) == "0.00")
        #expect(PlotNumberFormat.fixed(-0.0, decimals: 1) == "0.0")
        #expect(PlotNumberFormat.fixed(1234.5, decimals: 1) == "1234.5")
        #expect(PlotNumberFormat.fixed(0.05, decimals: 3) == "0.050")
        #expect(PlotNumberFormat.fixed(2, decimals: 2, trimmingZeros: true) == "2")
        #expect(PlotNumberFormat.coordinate(12.3456) == "12.35")
        #expect(PlotNumberFormat.coordinate(-7.1) == "-7.1")
        #expect(PlotNumberFormat.coordinate(1e20) == "1e+20")
        for bad in [Double.nan, .infinity, -.infinity, -.nan, .signalingNaN] {
            #expect(PlotNumberFormat.fixed(bad, decimals: 2) == nil)
            #expect(PlotNumberFormat.coordinate(bad) == nil)
        }
    }

    @Test func rendersAStandaloneSVG11DocumentWithTitleAndDesc() throws {
        let size = try PlotSize(width: 300, height: 200)
        var document = SVGDocument(
            size: size, title: Self.hostile, description: "d < e", fontFamilies: ["DejaVu Sans", "sans-serif"])
        document.rect(x: 1, y: 2, width: 3, height: 4, style: .filled(OkabeIto.blue), className: "bar", tooltip: Self.hostile)
        document.text(Self.hostile, at: PlotPoint(x: 10, y: 20), style: SVGTextStyle(rotation: -45))
        let svg = document.render()
        #expect(svg.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg "))
        #expect(!svg.contains("<script"))
        let parsed = try ParsedSVG(svg)
        let root = try #require(parsed.root)
        #expect(root.name == "svg")
        #expect(root.attributes["xmlns"] == "http://www.w3.org/2000/svg")
        #expect(root.attributes["version"] == "1.1")
        #expect(root.attributes["width"] == "300" && root.attributes["height"] == "200")
        #expect(root.attributes["viewBox"] == "0 0 300 200")
        #expect(root.attributes["font-family"] == "'DejaVu Sans', sans-serif")
        // <title> and <desc> are the first children, with the text as given.
        #expect(parsed.elements.count >= 3 && parsed.elements[1].name == "title" && parsed.elements[2].name == "desc")
        #expect(parsed.elements[1].text == Self.hostile && parsed.elements[2].text == "d < e")
        #expect(parsed.all("rect", class: "bar").first?.tooltip == Self.hostile)
        let text = try #require(parsed.all("text").first)
        #expect(text.text == Self.hostile)
        #expect(text.attributes["transform"] == "rotate(-45 10 20)")
        #expect(!document.render(xmlDeclaration: false).contains("<?xml"))
    }

    @Test func dropsElementsWithNonFiniteGeometry() throws {
        var document = SVGDocument(size: .standard, title: "t", description: "d")
        document.rect(x: .nan, y: 0, width: 1, height: 1, style: .filled(.black))
        document.rect(x: 0, y: 0, width: .infinity, height: 1, style: .filled(.black))
        document.circle(center: PlotPoint(x: 1, y: -.infinity), radius: 2, style: .filled(.black))
        document.text("x", at: PlotPoint(x: .nan, y: 1), style: SVGTextStyle())
        document.line(from: PlotPoint(x: 0, y: 0), to: PlotPoint(x: 1, y: .nan), style: .stroked(.black))
        let points = [(0.0, 0.0), (1, 1), (.nan, 2), (3, 3), (4, 4), (5, .infinity), (6, 6)].map { PlotPoint(x: $0, y: $1) }
        document.polyline(points, style: .stroked(.black))
        #expect(document.droppedNonFiniteCount == 7)
        let svg = document.render()
        #expect(!containsNonFiniteText(svg))
        let parsed = try ParsedSVG(svg)
        #expect(parsed.all("rect").isEmpty && parsed.all("circle").isEmpty && parsed.all("text").isEmpty)
        // The NaN splits the line; the run after the infinity has one vertex only and is not drawn.
        #expect(parsed.all("polyline").map { $0.attributes["points"] } == ["0,0 1,1", "3,3 4,4"])
    }

    @Test func negativeRectangleSizesExtendTheOtherWay() throws {
        var document = SVGDocument(size: .standard, title: "t", description: "d")
        document.rect(x: 10, y: 50, width: -4, height: -20, style: .filled(.black))
        let rect = try #require(try ParsedSVG(document.render()).all("rect").first)
        #expect(try rect.number("x") == 6 && rect.number("y") == 30 && rect.number("width") == 4 && rect.number("height") == 20)
    }

    @Test func plotSizeRejectsDegenerateCanvases() {
        #expect(throws: PlotError.self) { try PlotSize(width: .nan, height: 300) }
        #expect(throws: PlotError.self) { try PlotSize(width: 100, height: 300) }
        #expect(throws: PlotError.self) { try PlotSize(width: 400, height: .infinity) }
        #expect((try? PlotSize(width: 400, height: 300)) != nil)
    }

    @Test func longTextIsTruncatedWithAnEllipsis() {
        let long = String(repeating: "rhythm complexity ", count: 10)
        let cut = TextMetrics.truncated(long, toWidth: 100, fontSize: 10)
        #expect(cut.hasSuffix("\u{2026}"))
        #expect(TextMetrics.width(of: cut, fontSize: 10) <= 100)
        #expect(TextMetrics.truncated("short", toWidth: 100, fontSize: 10) == "short")
        // Wide characters count double-ish, and a cut never splits a grapheme cluster.
        #expect(TextMetrics.width(of: "音楽", fontSize: 10) == 20)
        let flags = TextMetrics.truncated(String(repeating: "🇯🇵", count: 20), toWidth: 50, fontSize: 10)
        #expect(flags.dropLast().allSatisfy { $0 == "🇯🇵" })
    }
}

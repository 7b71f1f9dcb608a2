/// What every chart type shares: it lays itself out (which can fail, e.g. for values too large to
/// scale) and draws the layout; a failed layout becomes a fallback document that shows the title
/// and the error instead of crashing.
protocol ChartDrawing {
    associatedtype Layout
    var title: String { get }
    var size: PlotSize { get }
    func layout() throws(PlotError) -> Layout
    func draw(_ layout: Layout) -> SVGDocument
}

extension ChartDrawing {
    func renderedDocument() -> SVGDocument {
        do {
            return draw(try layout())
        } catch {
            return ChartText.fallbackDocument(size: size, title: title, error: error)
        }
    }
}

/// Default sizes of a figure: pixels for SVG and PNG, characters for the ASCII chart.
extension Figure {
    /// 800×600 for a single chart; 320×300 per panel (plus 40 for the title) for a grid.
    public var defaultPixelSize: (width: Int, height: Int) {
        guard isGrid else { return (800, 600) }
        return (max(1, columns) * 320, max(1, rows) * 300 + 40)
    }

    /// 100×30 for a single chart; 40×18 per panel (plus 2 lines for the title) for a grid,
    /// at most 200 columns wide.
    public var defaultCharacterSize: (width: Int, height: Int) {
        guard isGrid else { return (100, 30) }
        return (min(200, max(1, columns) * 40), max(1, rows) * 18 + 2)
    }
}

/// What gets drawn into one image: a single chart, or a grid of panels under a common title
/// (e.g. the forward diffusion of a 2-D point cloud: one scatter panel per timestep).
public struct Figure: Sendable, Equatable {
    /// The title above the whole grid; nil for a single chart (which has its own title).
    public var title: String?
    /// The charts, laid out row by row.
    public var panels: [Chart]
    /// Panels per row (≥ 1).
    public var columns: Int

    /// A figure made of one chart.
    public init(_ chart: Chart) {
        title = nil
        panels = [chart]
        columns = 1
    }

    /// A grid of panels, `columns` per row, filled row by row, under `title`.
    public init(title: String, columns: Int, panels: [Chart]) {
        self.title = title
        self.panels = panels
        self.columns = columns
    }

    /// Number of panel rows: ⌈panels / columns⌉.
    public var rows: Int {
        guard columns > 0 else { return 0 }
        return (panels.count + columns - 1) / columns
    }

    /// True when the figure is drawn as a gnuplot multiplot (a grid or a titled figure).
    var isGrid: Bool { title != nil || panels.count != 1 }
}

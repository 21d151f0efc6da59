/// How a series is drawn.
public enum SeriesStyle: Sendable, Equatable {
    /// A polyline through the points in the order given.
    case lines
    /// A filled dot at each point; `size` is gnuplot's point size (1 is the terminal's
    /// default; 0.3–0.6 suits a cloud of a few thousand points).
    case points(size: Double)
}

/// One named sequence of (x, y) points of a chart.
///
/// Every value must be finite: `Charts` never drops a NaN or an infinity silently, it
/// refuses the figure with `ChartError.nonFiniteValue` naming the series and the index.
public struct Series: Sendable, Equatable {
    /// The legend entry; an empty name draws the series without a legend entry.
    public var name: String
    public var x: [Double]
    public var y: [Double]
    public var style: SeriesStyle

    public init(name: String, x: [Double], y: [Double], style: SeriesStyle = .lines) {
        self.name = name
        self.x = x
        self.y = y
        self.style = style
    }

    /// A series over x = 1, 2, …, y.count (e.g. a quantity per timestep t = 1…T).
    public init(name: String, y: [Double], style: SeriesStyle = .lines) {
        self.init(name: name, x: y.indices.map { Double($0 + 1) }, y: y, style: style)
    }
}

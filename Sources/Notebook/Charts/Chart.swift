/// One set of axes with its series: a title, axis labels, optional fixed ranges and an
/// optional logarithmic y axis.
public struct Chart: Sendable, Equatable {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    /// Draws y on a base-10 logarithmic scale; every y value (and the y range) must then be > 0.
    public var logarithmicY: Bool
    /// A fixed x range; nil lets gnuplot fit the data.
    public var xRange: ClosedRange<Double>?
    /// A fixed y range; nil lets gnuplot fit the data.
    public var yRange: ClosedRange<Double>?

    public init(
        title: String,
        xLabel: String = "",
        yLabel: String = "",
        series: [Series],
        logarithmicY: Bool = false,
        xRange: ClosedRange<Double>? = nil,
        yRange: ClosedRange<Double>? = nil
    ) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.logarithmicY = logarithmicY
        self.xRange = xRange
        self.yRange = yRange
    }
}

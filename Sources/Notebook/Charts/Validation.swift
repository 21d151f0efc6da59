/// Checks a figure before anything is sent to gnuplot, so that bad input gives a precise
/// `ChartError` instead of a gnuplot message about line 37 of a generated script.
extension Figure {
    /// Throws the first problem found, in panel and series order.
    func validate() throws {
        guard !panels.isEmpty else { throw ChartError.emptyFigure }
        guard columns >= 1 else { throw ChartError.invalidColumns(columns) }
        for chart in panels { try chart.validate() }
    }
}

extension Chart {
    func validate() throws {
        guard !series.isEmpty else { throw ChartError.noSeries(chart: title) }
        try Self.check(xRange, axis: .x, logarithmic: false, chart: title)
        try Self.check(yRange, axis: .y, logarithmic: logarithmicY, chart: title)
        for item in series { try item.validate(in: self) }
    }

    private static func check(_ range: ClosedRange<Double>?, axis: Axis, logarithmic: Bool, chart: String) throws {
        guard let range else { return }
        let valid = range.lowerBound.isFinite && range.upperBound.isFinite
            && range.lowerBound < range.upperBound && (!logarithmic || range.lowerBound > 0)
        guard valid else {
            throw ChartError.invalidRange(chart: chart, axis: axis, lower: range.lowerBound, upper: range.upperBound)
        }
    }
}

extension Series {
    func validate(in chart: Chart) throws {
        guard x.count == y.count else {
            throw ChartError.lengthMismatch(series: name, chart: chart.title, xCount: x.count, yCount: y.count)
        }
        guard !x.isEmpty else { throw ChartError.emptySeries(series: name, chart: chart.title) }
        if case let .points(size) = style, !(size.isFinite && size > 0) {
            throw ChartError.invalidPointSize(series: name, chart: chart.title, size: size)
        }
        if let index = x.firstIndex(where: { !$0.isFinite }) {
            throw ChartError.nonFiniteValue(series: name, chart: chart.title, axis: .x, index: index)
        }
        if let index = y.firstIndex(where: { !$0.isFinite }) {
            throw ChartError.nonFiniteValue(series: name, chart: chart.title, axis: .y, index: index)
        }
        if chart.logarithmicY, let index = y.firstIndex(where: { $0 <= 0 }) {
            throw ChartError.nonPositiveOnLogarithmicAxis(series: name, chart: chart.title, index: index, value: y[index])
        }
    }
}

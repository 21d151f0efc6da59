import Charts
import Foundation
import Testing

@Suite("Bad input gives the right ChartError before gnuplot runs")
struct ValidationTests {
    private func figure(_ series: Series, logarithmicY: Bool = false) -> Figure {
        Figure(Chart(title: "c", series: [series], logarithmicY: logarithmicY))
    }

    @Test("a figure without panels, or a grid without columns")
    func layout() {
        #expect(throws: ChartError.emptyFigure) { try Figure(title: "t", columns: 2, panels: []).svg() }
        let chart = Fixtures.lineFigure.panels[0]
        #expect(throws: ChartError.invalidColumns(0)) { try Figure(title: "t", columns: 0, panels: [chart]).svg() }
    }

    @Test("a chart without series, and a series without points")
    func empty() {
        #expect(throws: ChartError.noSeries(chart: "c")) { try Figure(Chart(title: "c", series: [])).svg() }
        #expect(throws: ChartError.emptySeries(series: "s", chart: "c")) {
            try figure(Series(name: "s", x: [], y: [])).ascii()
        }
    }

    @Test("x and y of different lengths")
    func lengthMismatch() {
        #expect(throws: ChartError.lengthMismatch(series: "s", chart: "c", xCount: 3, yCount: 2)) {
            try figure(Series(name: "s", x: [1, 2, 3], y: [1, 2])).png()
        }
    }

    @Test("NaN and infinities are refused, naming the series, the axis and the index",
          arguments: [Double.nan, .infinity, -.infinity])
    func nonFinite(value: Double) {
        #expect(throws: ChartError.nonFiniteValue(series: "s", chart: "c", axis: .y, index: 1)) {
            try figure(Series(name: "s", x: [1, 2, 3], y: [1, value, 3])).svg()
        }
        #expect(throws: ChartError.nonFiniteValue(series: "s", chart: "c", axis: .x, index: 2)) {
            try figure(Series(name: "s", x: [1, 2, value], y: [1, 2, 3])).svg()
        }
    }

    @Test("y ≤ 0 on a logarithmic axis")
    func logarithmic() {
        #expect(throws: ChartError.nonPositiveOnLogarithmicAxis(series: "s", chart: "c", index: 1, value: 0)) {
            try figure(Series(name: "s", x: [1, 2], y: [1, 0]), logarithmicY: true).svg()
        }
    }

    @Test("bad ranges, point sizes and image sizes")
    func parameters() {
        let series = Series(name: "s", x: [1, 2], y: [1, 2])
        #expect(throws: ChartError.invalidRange(chart: "c", axis: .x, lower: 1, upper: 1)) {
            try Figure(Chart(title: "c", series: [series], xRange: 1...1)).svg()
        }
        #expect(throws: ChartError.invalidRange(chart: "c", axis: .y, lower: 0, upper: 1)) {
            try Figure(Chart(title: "c", series: [series], logarithmicY: true, yRange: 0...1)).svg()
        }
        #expect(throws: ChartError.invalidPointSize(series: "s", chart: "c", size: 0)) {
            try figure(Series(name: "s", x: [1], y: [1], style: .points(size: 0))).svg()
        }
        #expect(throws: ChartError.invalidSize(width: 0, height: 10)) { try figure(series).png(width: 0, height: 10) }
    }

    @Test("messages say what was wrong and how to fix it")
    func messages() {
        let missing = ChartError.gnuplotMissing(program: "gnuplot", reason: "cannot run gnuplot: No such file or directory")
        #expect(missing.description.contains("apt-get install --no-install-recommends gnuplot-nox"))
        #expect(ChartError.nonFiniteValue(series: "ddpm", chart: "loss", axis: .y, index: 7).description
            .contains("series 'ddpm' of chart 'loss'"))
        #expect(ChartError.gnuplotFailed(exitStatus: 1, stderr: "line 3: undefined variable: foo\n").localizedDescription
            .contains("undefined variable: foo"))
    }
}

/// The complete gnuplot script for one figure on one terminal, and its inline data.
///
/// The data of series k (counted over all panels) travels as data block k, which the C
/// layer defines as the gnuplot datablock `$data<k>` before the script runs; the script only
/// refers to it. Output goes to gnuplot's stdout (`set output` without a file name).
struct GnuplotScript: Sendable, Equatable {
    var text: String
    var dataBlocks: [String]

    /// Builds the script; the figure must already be valid (`Figure.validate()`).
    init(figure: Figure, terminal: Terminal) throws {
        var lines = [
            "set encoding utf8",
            terminal.command,
            "set output",
        ]
        var blocks: [String] = []
        if figure.isGrid {
            let title = figure.title.map { " title \(GnuplotText.quoted($0))" } ?? ""
            lines.append("set multiplot layout \(figure.rows),\(figure.columns) rowsfirst\(title)")
        }
        for chart in figure.panels {
            lines += Self.commands(for: chart, firstBlock: blocks.count, terminal: terminal)
            blocks += try chart.series.map { try GnuplotText.dataBlock(x: $0.x, y: $0.y) }
        }
        if figure.isGrid { lines.append("unset multiplot") }
        text = lines.joined(separator: "\n") + "\n"
        dataBlocks = blocks
    }

    /// The settings and the `plot` command of one chart. Every setting is stated explicitly
    /// so that a panel never inherits anything from the panel before it.
    private static func commands(for chart: Chart, firstBlock: Int, terminal: Terminal) -> [String] {
        var lines = [
            "set title \(GnuplotText.quoted(chart.title))",
            "set xlabel \(GnuplotText.quoted(chart.xLabel))",
            "set ylabel \(GnuplotText.quoted(chart.yLabel))",
            chart.logarithmicY ? "set logscale y 10" : "unset logscale y",
            chart.logarithmicY ? "set format y \"%g\"" : "set format y \"% h\"",
            range(chart.xRange, axis: "x"),
            range(chart.yRange, axis: "y"),
            "set grid",
            "set key top right",
        ]
        let plots = chart.series.enumerated().map { offset, series in
            let style: String
            switch series.style {
            case .lines: style = "with lines lw 1.5"
            case let .points(size): style = "with points \(pointType(offset, on: terminal)) ps \(GnuplotText.number(size))"
            }
            let title = series.name.isEmpty ? "notitle" : "title \(GnuplotText.quoted(series.name))"
            return "$data\(firstBlock + offset) using 1:2 \(style) \(title)"
        }
        lines.append("plot " + plots.joined(separator: ", \\\n     "))
        return lines
    }

    /// A filled circle in images; in text, one character per series of the chart
    /// (gnuplot's own point types would print as letters).
    private static func pointType(_ index: Int, on terminal: Terminal) -> String {
        guard case .dumb = terminal else { return "pt 7" }
        let characters = ["*", "o", "+", "x", "#", "@", "%", "="]
        return "pt \"\(characters[index % characters.count])\""
    }

    private static func range(_ range: ClosedRange<Double>?, axis: String) -> String {
        guard let range else { return "set autoscale \(axis)" }
        return "set \(axis)range [\(GnuplotText.number(range.lowerBound)):\(GnuplotText.number(range.upperBound))]"
    }
}

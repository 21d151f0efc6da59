import Foundation

/// An axis of a chart, as named in error messages.
public enum Axis: String, Sendable, Equatable {
    case x, y
}

/// Everything that can go wrong when drawing a figure, each with a message that says what
/// was wrong and what to do about it.
public enum ChartError: Error, Sendable, Equatable {
    /// The gnuplot program could not be started.
    case gnuplotMissing(program: String, reason: String)
    /// gnuplot ran and failed: its exit status (nil when it was killed by a signal) and its
    /// stderr, which carries gnuplot's own error message.
    case gnuplotFailed(exitStatus: Int32?, stderr: String)
    /// The operating system refused something (a pipe, a temporary file, a process).
    case systemFailure(String)
    /// The figure has no panels.
    case emptyFigure
    /// The grid has fewer than one column.
    case invalidColumns(Int)
    /// A chart has no series.
    case noSeries(chart: String)
    /// A series has no points.
    case emptySeries(series: String, chart: String)
    /// A series has different numbers of x and y values.
    case lengthMismatch(series: String, chart: String, xCount: Int, yCount: Int)
    /// A value is NaN or infinite (Charts never drops points silently).
    case nonFiniteValue(series: String, chart: String, axis: Axis, index: Int)
    /// A y value ≤ 0 on a logarithmic y axis.
    case nonPositiveOnLogarithmicAxis(series: String, chart: String, index: Int, value: Double)
    /// A point size that is not a finite number > 0.
    case invalidPointSize(series: String, chart: String, size: Double)
    /// A fixed axis range that is not finite, empty (lower == upper), or not > 0 on a log axis.
    case invalidRange(chart: String, axis: Axis, lower: Double, upper: Double)
    /// An image size that is not positive.
    case invalidSize(width: Int, height: Int)
    /// The file or its folder cannot be written.
    case unwritablePath(path: String, reason: String)
}

extension ChartError: CustomStringConvertible, LocalizedError {
    public var description: String {
        switch self {
        case let .gnuplotMissing(program, reason):
            return "gnuplot is not available (\(reason)); install gnuplot-nox "
                + "(apt-get install --no-install-recommends gnuplot-nox)"
                + (program == "gnuplot" ? "" : " or check the program path '\(program)'")
        case let .gnuplotFailed(status, stderr):
            let how = status.map { "with exit status \($0)" } ?? "by a signal"
            let message = stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            return "gnuplot failed \(how)" + (message.isEmpty ? " and printed nothing" : ":\n\(message)")
        case let .systemFailure(reason):
            return "cannot run gnuplot: \(reason)"
        case .emptyFigure:
            return "the figure has no panels; give it at least one chart"
        case let .invalidColumns(columns):
            return "a grid needs at least 1 column, got \(columns)"
        case let .noSeries(chart):
            return "chart '\(chart)' has no series; give it at least one"
        case let .emptySeries(series, chart):
            return "series '\(series)' of chart '\(chart)' has no points"
        case let .lengthMismatch(series, chart, xCount, yCount):
            return "series '\(series)' of chart '\(chart)' has \(xCount) x values but \(yCount) y values; "
                + "they must be equal"
        case let .nonFiniteValue(series, chart, axis, index):
            return "series '\(series)' of chart '\(chart)' has a non-finite \(axis.rawValue) value "
                + "(NaN or infinity) at index \(index); only finite values can be drawn"
        case let .nonPositiveOnLogarithmicAxis(series, chart, index, value):
            return "series '\(series)' of chart '\(chart)' has y = \(value) at index \(index), "
                + "but the y axis is logarithmic and needs y > 0"
        case let .invalidPointSize(series, chart, size):
            return "series '\(series)' of chart '\(chart)' has point size \(size); it must be a finite number > 0"
        case let .invalidRange(chart, axis, lower, upper):
            return "chart '\(chart)' has \(axis.rawValue) range [\(lower), \(upper)]; a range needs "
                + "finite bounds with lower < upper (and lower > 0 on a logarithmic axis)"
        case let .invalidSize(width, height):
            return "image size \(width)×\(height) is not valid; width and height must be > 0"
        case let .unwritablePath(path, reason):
            return "cannot write \(path): \(reason)"
        }
    }

    public var errorDescription: String? { description }
}

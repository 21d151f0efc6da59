import AtomicFiles
import Foundation

/// Draws figures with gnuplot: SVG and PNG images, ASCII charts for a text terminal, and
/// image files written atomically.
public struct ChartRenderer: Sendable, Equatable {
    public var gnuplot: Gnuplot

    public init(gnuplot: Gnuplot = Gnuplot()) {
        self.gnuplot = gnuplot
    }

    /// The figure as an SVG document (size in pixels; nil takes `defaultPixelSize`).
    /// The same figure always gives the same bytes.
    public func svg(_ figure: Figure, width: Int? = nil, height: Int? = nil) throws -> String {
        let size = figure.defaultPixelSize
        let data = try render(figure, on: .svg(width: width ?? size.width, height: height ?? size.height))
        guard let text = String(data: data, encoding: .utf8) else {
            throw ChartError.systemFailure("gnuplot's SVG output is not valid UTF-8")
        }
        return text
    }

    /// The figure as a PNG image (size in pixels; nil takes `defaultPixelSize`).
    public func png(_ figure: Figure, width: Int? = nil, height: Int? = nil) throws -> Data {
        let size = figure.defaultPixelSize
        return try render(figure, on: .pngcairo(width: width ?? size.width, height: height ?? size.height))
    }

    /// The figure drawn with characters (gnuplot's dumb terminal), at most `width` columns
    /// per line and `height` lines (nil takes `defaultCharacterSize`). gnuplot's leading
    /// form feed, trailing spaces and blank first/last lines are removed; lines are joined
    /// with "\n" and the text ends without a line break.
    public func ascii(_ figure: Figure, width: Int? = nil, height: Int? = nil) throws -> String {
        let size = figure.defaultCharacterSize
        let data = try render(figure, on: .dumb(width: width ?? size.width, height: height ?? size.height))
        return Self.tidy(String(decoding: data, as: UTF8.self))
    }

    /// Writes the figure as an image file, atomically: the bytes go to a temporary file in
    /// the destination folder, which is then renamed over `url`. A missing folder is
    /// created; a failure leaves no file (and no temporary file) behind and throws
    /// `ChartError.unwritablePath`. Size in pixels; nil takes `defaultPixelSize`.
    public func write(_ figure: Figure, to url: URL, format: ImageFormat, width: Int? = nil, height: Int? = nil) throws {
        let data: Data
        switch format {
        case .svg: data = Data(try svg(figure, width: width, height: height).utf8)
        case .png: data = try png(figure, width: width, height: height)
        }
        do {
            try AtomicFile.write(data, to: url)
        } catch {
            throw ChartError.unwritablePath(path: error.path, reason: error.reason)
        }
    }

    /// Validates the figure, builds its script and runs gnuplot; returns gnuplot's stdout.
    func render(_ figure: Figure, on terminal: Terminal) throws -> Data {
        let size = terminal.size
        guard size.width > 0, size.height > 0 else {
            throw ChartError.invalidSize(width: size.width, height: size.height)
        }
        try figure.validate()
        let script = try GnuplotScript(figure: figure, terminal: terminal)
        return try gnuplot.run(script: script.text, dataBlocks: script.dataBlocks)
    }

    /// Cleans up the dumb terminal's page: no form feeds, no trailing spaces, no blank
    /// lines at the top or bottom.
    static func tidy(_ page: String) -> String {
        var lines = page.replacingOccurrences(of: "\u{0C}", with: "")
            .split(separator: "\n", omittingEmptySubsequences: false)
            .map { line -> Substring in
                var line = line
                while line.last == " " || line.last == "\r" { line.removeLast() }
                return line
            }
        while lines.first?.isEmpty == true { lines.removeFirst() }
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines.joined(separator: "\n")
    }
}

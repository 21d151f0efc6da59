import Foundation

/// Shortcuts that draw a figure with the default renderer (gnuplot on PATH).
extension Figure {
    /// See `ChartRenderer.svg(_:width:height:)`.
    public func svg(width: Int? = nil, height: Int? = nil) throws -> String {
        try ChartRenderer().svg(self, width: width, height: height)
    }

    /// See `ChartRenderer.png(_:width:height:)`.
    public func png(width: Int? = nil, height: Int? = nil) throws -> Data {
        try ChartRenderer().png(self, width: width, height: height)
    }

    /// See `ChartRenderer.ascii(_:width:height:)`.
    public func ascii(width: Int? = nil, height: Int? = nil) throws -> String {
        try ChartRenderer().ascii(self, width: width, height: height)
    }

    /// See `ChartRenderer.write(_:to:format:width:height:)`.
    public func write(to url: URL, format: ImageFormat, width: Int? = nil, height: Int? = nil) throws {
        try ChartRenderer().write(self, to: url, format: format, width: width, height: height)
    }
}

/// The file formats `write(to:format:)` produces.
public enum ImageFormat: String, Sendable, Equatable, CaseIterable {
    /// Scalable vector graphics (gnuplot's svg terminal); byte-identical for equal figures.
    case svg
    /// PNG (gnuplot's pngcairo terminal).
    case png

    /// The usual file extension, without the dot.
    public var fileExtension: String { rawValue }
}

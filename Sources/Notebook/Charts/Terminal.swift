/// A gnuplot output device with its size, as the `set terminal` line of a script.
///
/// Every script names its terminal: gnuplot's default one may be an interactive window
/// (gnuplot-qt hangs on a machine without a display).
enum Terminal: Sendable, Equatable {
    /// Scalable vector graphics, size in pixels.
    case svg(width: Int, height: Int)
    /// PNG through cairo (anti-aliased), size in pixels.
    case pngcairo(width: Int, height: Int)
    /// Plain text, size in characters (columns × lines).
    case dumb(width: Int, height: Int)

    var size: (width: Int, height: Int) {
        switch self {
        case let .svg(width, height), let .pngcairo(width, height), let .dumb(width, height):
            return (width, height)
        }
    }

    /// The `set terminal` command. All three use `noenhanced` (titles are drawn as given).
    /// The svg terminal embeds no date, path or random id: equal scripts give equal bytes.
    var command: String {
        switch self {
        case let .svg(width, height):
            return "set terminal svg size \(width),\(height) fixed noenhanced font \"Sans,12\" background rgb \"white\""
        case let .pngcairo(width, height):
            return "set terminal pngcairo size \(width),\(height) noenhanced font \"Sans,10\" background rgb \"white\""
        case let .dumb(width, height):
            return "set terminal dumb size \(width),\(height) noenhanced mono"
        }
    }
}

import CGnuplot
import Foundation

/// Spelling values the way a gnuplot script needs them.
enum GnuplotText {
    /// A double-quoted gnuplot string literal. Backslash and double quote are escaped, a
    /// line break becomes gnuplot's `\n`, other control characters become spaces. Terminals
    /// are set `noenhanced`, so `_`, `^`, `{` and `@` are drawn literally.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": result += "\\\\"
            case "\"": result += "\\\""
            case "\n": result += "\\n"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F: result += " "
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    /// A Double with 17 significant digits (`%.17g`): gnuplot reads back the same value.
    static func number(_ value: Double) -> String {
        String(format: "%.17g", value)
    }

    /// One inline data block: an "x y" line per point, 17 significant digits (`%.17g`,
    /// formatted by the C layer, which is locale-independent and much faster than
    /// `String(format:)`). Throws when memory runs out.
    static func dataBlock(x: [Double], y: [Double]) throws -> String {
        let count = min(x.count, y.count)
        let text = x.withUnsafeBufferPointer { xs in
            y.withUnsafeBufferPointer { ys in
                cgnuplot_format_points(xs.baseAddress, ys.baseAddress, count)
            }
        }
        guard let text else { throw ChartError.systemFailure("out of memory while formatting the plot data") }
        defer { cgnuplot_free(text) }
        return String(cString: text)
    }
}

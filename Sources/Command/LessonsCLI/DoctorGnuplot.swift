import Charts
import Foundation

/// The doctor's gnuplot line: its version, and whether it draws with each terminal the
/// figures use (svg, pngcairo, dumb), tried through the figures' own renderer.
enum DoctorGnuplot {
    static let install = "install: apt-get install --no-install-recommends gnuplot-nox "
        + "(without --no-install-recommends it pulls gnuplot-qt, which hangs without a display)"

    /// `gnuplot` is the program to check (a name on PATH, or a path).
    static func check(_ gnuplot: Gnuplot = Gnuplot()) -> DoctorCheck {
        guard let version = gnuplot.version() else {
            return .fail("gnuplot", "'\(gnuplot.program)' cannot be run (not installed or not on PATH); \(install)")
        }
        let renderer = ChartRenderer(gnuplot: gnuplot)
        let figure = Figure(Chart(title: "doctor", series: [Series(name: "y = x", x: [0, 1], y: [0, 1])]))
        let terminals: [(name: String, draw: () throws -> Int)] = [
            ("svg", { try renderer.svg(figure, width: 160, height: 120).utf8.count }),
            ("pngcairo", { try renderer.png(figure, width: 160, height: 120).count }),
            ("dumb", { try renderer.ascii(figure, width: 40, height: 12).utf8.count }),
        ]
        var problems: [String] = []
        for terminal in terminals {
            do {
                if try terminal.draw() == 0 { problems.append("terminal \(terminal.name) drew nothing") }
            } catch {
                problems.append("terminal \(terminal.name) fails (\(reason(error)))")
            }
        }
        let names = terminals.map(\.name).joined(separator: ", ")
        guard problems.isEmpty else {
            return .fail("gnuplot", "\(version): " + problems.joined(separator: "; ") + "; the figures need \(names): \(install)")
        }
        return .ok("gnuplot", "\(version); terminals \(names) draw")
    }

    /// gnuplot's own complaint (the last line it printed), or the error's description.
    static func reason(_ error: any Error) -> String {
        if case let ChartError.gnuplotFailed(_, stderr) = error,
           let last = stderr.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }).last(where: { !$0.isEmpty }) {
            return "gnuplot: " + last
        }
        return "\(error)"
    }
}

import Charts
import Foundation

/// Figures shared by the tests: a two-series line chart and a 7-panel scatter grid shaped
/// like the forward-diffusion figure.
enum Fixtures {
    /// β_t of a linear and a cosine-like schedule over t = 1…100, on a logarithmic y axis.
    static let lineFigure: Figure = {
        let t = (1...100).map(Double.init)
        return Figure(Chart(
            title: "Noise schedules",
            xLabel: "t",
            yLabel: "beta_t",
            series: [
                Series(name: "linear", x: t, y: t.map { 1e-4 + ($0 - 1) / 99 * 0.02 }),
                Series(name: "cosine", x: t, y: t.map { 1e-4 + 0.02 * (1 - cos($0 / 100 * .pi / 2)) }),
            ],
            logarithmicY: true
        ))
    }()

    /// Seven scatter panels of a deterministic 2-D point cloud that shrinks and blurs
    /// (a stand-in for x_t at seven timesteps), four per row, fixed square ranges.
    static let panelFigure: Figure = {
        let steps = [0, 10, 50, 100, 250, 500, 1000]
        let panels = steps.enumerated().map { index, step -> Chart in
            let scale = 1 - Double(index) / 8
            let angles = (0..<300).map { Double($0) * 0.05 }
            let x = angles.map { scale * $0 / 15 * cos($0) + Double(index) * 0.01 * sin(7 * $0) }
            let y = angles.map { scale * $0 / 15 * sin($0) + Double(index) * 0.01 * cos(5 * $0) }
            return Chart(
                title: "t = \(step)",
                series: [Series(name: "", x: x, y: y, style: .points(size: 0.4))],
                xRange: -1.5...1.5,
                yRange: -1.5...1.5
            )
        }
        return Figure(title: "Forward diffusion of a swiss roll", columns: 4, panels: panels)
    }()

    /// A fresh empty folder under the system's temporary folder.
    static func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("ChartsTests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

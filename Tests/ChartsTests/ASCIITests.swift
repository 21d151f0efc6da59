import Charts
import Foundation
import Testing

@Suite("ASCII: a chart for the text terminal")
struct ASCIITests {
    @Test("a line chart fits the requested width and shows its title and legend")
    func lineChart() throws {
        let text = try Fixtures.lineFigure.ascii(width: 80, height: 24)
        #expect(!text.isEmpty)
        #expect(text.contains("Noise schedules"))
        #expect(text.contains("linear") && text.contains("cosine"))
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count <= 24)
        #expect(lines.allSatisfy { $0.count <= 80 })
        #expect(!text.contains("\u{0C}"))
        #expect(lines.allSatisfy { $0.last != " " })
    }

    @Test("a panel grid shows the figure title and every panel title")
    func panels() throws {
        let text = try Fixtures.panelFigure.ascii(width: 160, height: 40)
        #expect(text.contains("Forward diffusion of a swiss roll"))
        for step in [0, 10, 50, 100, 250, 500, 1000] { #expect(text.contains("t = \(step)")) }
        #expect(text.split(separator: "\n").allSatisfy { $0.count <= 160 })
    }
}

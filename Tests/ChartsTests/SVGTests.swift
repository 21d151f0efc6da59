import Charts
import Foundation
import Testing
#if canImport(FoundationXML)
import FoundationXML
#endif

@Suite("SVG: well-formed and byte-deterministic")
struct SVGTests {
    @Test("a line chart and a panel grid render to well-formed SVG", arguments: ["line", "panels"])
    func wellFormed(name: String) throws {
        let figure = name == "line" ? Fixtures.lineFigure : Fixtures.panelFigure
        let svg = try figure.svg(width: 640, height: 480)
        let document = try XMLDocument(xmlString: svg, options: [])
        let root = try #require(document.rootElement())
        #expect(root.name == "svg")
        // attribute(forName:) misses attributes of an element in a default namespace on
        // Linux' Foundation; look them up in the list instead.
        let attribute = { (name: String) in root.attributes?.first { $0.name == name }?.stringValue }
        #expect(attribute("width") == "640")
        #expect(attribute("height") == "480")
        #expect(svg.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix("</svg>"))
    }

    @Test("titles reach the SVG as text, literally, with XML special characters escaped")
    func titles() throws {
        var figure = Fixtures.lineFigure
        let title = "ᾱ_t & <SNR> \"quoted\" @macro {x}^2 \\ end"
        figure.panels[0].title = title
        let document = try XMLDocument(xmlString: try figure.svg(), options: [])
        let texts = try document.nodes(forXPath: "//*[local-name()='text']").compactMap(\.stringValue)
        #expect(texts.contains(title))
        #expect(try Fixtures.panelFigure.svg().contains("Forward diffusion of a swiss roll"))
    }

    @Test("the same figure gives byte-identical SVG", arguments: ["line", "panels"])
    func deterministic(name: String) throws {
        let figure = name == "line" ? Fixtures.lineFigure : Fixtures.panelFigure
        let first = try figure.svg()
        let second = try figure.svg()
        #expect(Data(first.utf8) == Data(second.utf8))
    }
}

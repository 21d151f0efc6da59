import Charts
import Foundation
import Testing

@Suite("PNG: signature and size")
struct PNGTests {
    /// Width and height from the IHDR chunk, which follows the 8-byte signature.
    private func size(of png: Data) throws -> (width: Int, height: Int) {
        let bytes = [UInt8](png)
        try #require(bytes.count >= 24)
        #expect(Array(bytes[0..<8]) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        #expect(String(decoding: bytes[12..<16], as: UTF8.self) == "IHDR")
        let bigEndian = { (offset: Int) in bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) } }
        return (bigEndian(16), bigEndian(20))
    }

    @Test("a line chart renders to a PNG of the requested size")
    func lineChart() throws {
        let png = try Fixtures.lineFigure.png(width: 640, height: 480)
        let size = try size(of: png)
        #expect(size.width == 640 && size.height == 480)
    }

    @Test("a panel grid renders to a PNG of the requested size")
    func panels() throws {
        let png = try Fixtures.panelFigure.png(width: 1200, height: 700)
        let size = try size(of: png)
        #expect(size.width == 1200 && size.height == 700)
    }

    @Test("without a size, the default size is used")
    func defaultSize() throws {
        let expected = Fixtures.panelFigure.defaultPixelSize
        let size = try size(of: try Fixtures.panelFigure.png())
        #expect(size.width == expected.width && size.height == expected.height)
    }
}

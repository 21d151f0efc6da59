import Charts
import Foundation
import Testing

@Suite("Writing image files atomically")
struct WriteTests {
    private func contents(of folder: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
    }

    @Test("write creates the file (and missing folders) and leaves no temporary file", arguments: ImageFormat.allCases)
    func write(format: ImageFormat) throws {
        let root = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let folder = root.appendingPathComponent("Plots/forward", isDirectory: true)
        let url = folder.appendingPathComponent("figure.\(format.fileExtension)")

        try Fixtures.panelFigure.write(to: url, format: format)

        #expect(try contents(of: folder) == ["figure.\(format.fileExtension)"])
        let data = try Data(contentsOf: url)
        switch format {
        case .svg: #expect(data == Data(try Fixtures.panelFigure.svg().utf8))
        case .png: #expect(data.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        }
    }

    @Test("write replaces an existing file and still leaves only that file")
    func replace() throws {
        let folder = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("chart.svg")
        try Data("old".utf8).write(to: url)

        try Fixtures.lineFigure.write(to: url, format: .svg)

        #expect(try contents(of: folder) == ["chart.svg"])
        #expect(try String(contentsOf: url, encoding: .utf8) == (try Fixtures.lineFigure.svg()))
    }

    @Test("a folder that cannot be created gives ChartError.unwritablePath, not a crash",
          arguments: ["blocker/x.svg", "blocker/deeper/x.svg"])
    func parentIsAFile(relativePath: String) throws {
        // Tests may run as root, so permissions prove nothing: put the file under a regular file.
        let folder = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("a regular file".utf8).write(to: folder.appendingPathComponent("blocker"))
        let url = folder.appendingPathComponent(relativePath)

        #expect {
            try Fixtures.lineFigure.write(to: url, format: .svg)
        } throws: { error in
            guard case let .unwritablePath(path, reason)? = error as? ChartError else { return false }
            return path == url.path && reason.contains("not a folder")
        }
        #expect(try contents(of: folder) == ["blocker"])
    }

    @Test("a path under a system file gives ChartError.unwritablePath")
    func underSystemFile() throws {
        let url = URL(fileURLWithPath: "/etc/hostname/x.svg")
        #expect(throws: ChartError.self) { try Fixtures.lineFigure.write(to: url, format: .svg) }
    }

    @Test("an existing folder as the destination gives ChartError.unwritablePath and no leftovers")
    func destinationIsAFolder() throws {
        let folder = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let target = folder.appendingPathComponent("taken.svg", isDirectory: true)
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: false)
        try FileManager.default.createDirectory(at: target.appendingPathComponent("inside"), withIntermediateDirectories: false)

        #expect {
            try Fixtures.lineFigure.write(to: URL(fileURLWithPath: target.path), format: .svg)
        } throws: { error in
            guard case .unwritablePath? = error as? ChartError else { return false }
            return true
        }
        #expect(try contents(of: folder) == ["taken.svg"])
    }

    @Test("a figure that fails validation writes nothing")
    func invalidFigureWritesNothing() throws {
        let folder = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let figure = Figure(title: "empty", columns: 2, panels: [])
        #expect(throws: ChartError.emptyFigure) {
            try figure.write(to: folder.appendingPathComponent("sub/empty.svg"), format: .svg)
        }
        #expect(try contents(of: folder).isEmpty)
    }
}

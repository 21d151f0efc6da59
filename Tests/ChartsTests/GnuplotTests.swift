import Charts
import Foundation
import Testing

@Suite("Running gnuplot: exit status, stderr, missing program")
struct GnuplotTests {
    @Test("a script error is reported with gnuplot's own message and exit status")
    func scriptError() throws {
        let script = """
            set terminal dumb size 40,10
            set output
            plot $data0 using 1:2 with lines, undefined_function_xyz(x)
            """
        #expect {
            _ = try Gnuplot().run(script: script, dataBlocks: ["1 2\n2 3\n"])
        } throws: { error in
            guard case let .gnuplotFailed(status, stderr)? = error as? ChartError else { return false }
            return status == 1 && stderr.contains("undefined function")
        }
    }

    @Test("data blocks are available as $data0, $data1, … and read back at full precision")
    func dataBlocks() throws {
        let script = """
            set terminal dumb size 40,10
            set output
            stats $data1 using 1 nooutput
            print sprintf("%.17g", STATS_max)
            """
        // `print` writes to stderr, which a successful run discards; write it with `set print`.
        let echoed = try Gnuplot().run(script: "set print '-'\n" + script, dataBlocks: ["0 0\n", "0.10000000000000001\n"])
        #expect(String(decoding: echoed, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) == "0.10000000000000001")
    }

    @Test("a missing gnuplot gives ChartError.gnuplotMissing with the install hint")
    func missing() throws {
        let renderer = ChartRenderer(gnuplot: Gnuplot(program: "/nonexistent/bin/gnuplot"))
        #expect {
            _ = try renderer.svg(Fixtures.lineFigure)
        } throws: { error in
            guard let error = error as? ChartError, case .gnuplotMissing = error else { return false }
            return error.description.contains("install gnuplot-nox (apt-get install --no-install-recommends gnuplot-nox)")
        }
        #expect(Gnuplot(program: "/nonexistent/bin/gnuplot").version() == nil)
    }

    @Test("a gnuplot that exits before reading its input does not kill the process (SIGPIPE)")
    func earlyExit() throws {
        let megabytes = String(repeating: "0.123456789 0.987654321\n", count: 200_000)
        #expect(throws: ChartError.gnuplotFailed(exitStatus: 1, stderr: "")) {
            _ = try Gnuplot(program: "false").run(script: "", dataBlocks: [megabytes])
        }
        #expect(try Gnuplot(program: "true").run(script: "", dataBlocks: [megabytes]).isEmpty)
    }

    @Test("the version line names gnuplot")
    func version() throws {
        let version = try #require(Gnuplot().version())
        #expect(version.hasPrefix("gnuplot "))
    }

    @Test("renders from many tasks at once stay independent")
    func concurrent() async throws {
        let expected = try Fixtures.lineFigure.svg()
        try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<6 { group.addTask { try Fixtures.lineFigure.svg() } }
            for try await svg in group { #expect(svg == expected) }
        }
    }
}

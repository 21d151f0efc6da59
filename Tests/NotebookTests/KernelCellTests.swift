import Notebook
import Testing

/// The kernel's cell grammar, which the Jupyter kernel (through `lessons kernel cell`) and
/// `lessons run NOTEBOOK.ipynb` both read.
@Suite("A kernel cell: magics, then a check, a plot or a command")
struct KernelCellTests {
    func error(_ source: String, samplesCap: Int = 100_000_000) -> String {
        do {
            _ = try KernelCell.parse(source, file: "cell", samplesCap: samplesCap)
            return "parsed"
        } catch {
            return "\(error)"
        }
    }

    @Test("magics set the state and are named; blank lines among them; the body after")
    func magics() throws {
        let cell = try KernelCell.parse("%seed 7\n\n%samples 2000\n%timeout 2.5\n%stream 3\ncheck gaussian.sum\nmean1: 2", file: "cell")
        #expect(cell.seed == 7 && cell.samples == 2000 && cell.samplesWritten == "2000" && cell.timeout == 2.5 && cell.stream == 3)
        #expect(cell.magics == ["seed", "samples", "timeout", "stream"])
        #expect(cell.body == .check(id: "gaussian.sum", yaml: "mean1: 2", line: 6))
        let magicsOnly = try KernelCell.parse("%samples default\n", file: "cell")
        #expect(magicsOnly.samples == nil && magicsOnly.samplesWritten == "default" && magicsOnly.body == .empty)
        #expect(magicsOnly.lesson(file: "cell") == nil)
        let lesson = try #require(cell.lesson(file: "cell"))
        #expect(lesson.cells.map(\.index) == [3] && lesson.cells.map(\.line) == [6], "the check draws from its %stream")
    }

    @Test("a command's words, split as a shell splits them, `lessons` before it dropped")
    func commands() throws {
        #expect(try KernelCell.parse("lessons calc  alpha-bar --t '1 0'", file: "c").body == .command(arguments: ["calc", "alpha-bar", "--t", "1 0"], line: 1))
        #expect(try KernelCell.parse("%seed 2\nverify \"a \\\"b\\\" c\" \\x\nd", file: "c").body
                == .command(arguments: ["verify", "a \"b\" c", "x", "d"], line: 2), "a command may go on over lines")
        #expect(try ShellWords.split("run '' a\\ b \"c\\d\"") == ["run", "", "a b", "c\\d"])
        #expect(throws: ShellWords.Unbalanced.self) { try ShellWords.split("calc 'open") }
        #expect(throws: ShellWords.Unbalanced.self) { try ShellWords.split("calc x\\") }
        #expect(error("calc \"open").contains("cell:1: cannot split the command into words (no closing quotation)"))
        #expect(error("train toy swissroll").contains("cell:1: \"train toy swissroll\" is not a cell this kernel runs; accepted: "
                                                       + "`check ID` with YAML parameters, `plot NAME`, one of the commands calc, verify, run, checks, "
                                                       + "or the magics %seed N, %stream K, %samples N, %timeout SECONDS"))
    }

    @Test("refused cells say where and what is accepted", arguments: [
        ("%seed -1\ncheck a.b", "cell:1: %seed takes a whole number"),
        ("%seed +1\ncheck a.b", "cell:1: %seed takes a whole number"),
        ("\n%stream x\ncheck a.b", "cell:2: %stream takes a whole number"),
        ("%samples 400\ncheck a.b", "cell:1: %samples takes a sample size in 500…100000000"),
        ("%timeout 0\ncheck a.b", "cell:1: %timeout takes seconds in 1…3600"),
        ("%seeds 1", "cell:1: unknown magic \"%seeds 1\"; accepted: %seed N, %stream K, %samples N, %timeout SECONDS"),
        ("%stream 1\nplot schedules-beta", "cell:1: %stream sets the random stream of a check cell"),
        ("%seed 1\n%stream 1", "cell:2: %stream sets the random stream of a check cell"),
        ("check a.b c.d", "cell:1: a check cell starts with `check ID`"),
        ("plot", "cell:1: a plot cell is `plot NAME`"),
        ("plot schedules-beta\n\nt: 1", "cell:2: a plot cell takes no parameters"),
    ])
    func refused(source: String, expected: String) {
        #expect(error(source).contains(expected), "\(source): \(error(source))")
    }

    @Test("the kernel's cap on %samples is stated in the refusal")
    func cap() {
        #expect(error("%samples 20000000", samplesCap: 10_000_000).contains("500…10000000"))
        #expect(error("%samples 10000000", samplesCap: 10_000_000) == "parsed")
        #expect(error("%samples 20000000") == "parsed")
    }

    @Test("the time-limit message writes the seconds as given and names the longest limit")
    func timeLimitMessage() {
        #expect(KernelCell.timeLimitMessage(30) == "the cell ran longer than 30 s and was stopped; use fewer samples, "
                + "or raise the limit with %timeout SECONDS (at most 3600)")
        #expect(KernelCell.timeLimitMessage(2.5).hasPrefix("the cell ran longer than 2.5 s and was stopped;"))
        #expect(KernelCell.defaultTimeout == 120 && KernelCell.timeoutRange.contains(KernelCell.defaultTimeout))
        #expect(KernelCell.magicNames == ["seed", "stream", "samples", "timeout"])
        #expect(error("%bogus 1").contains("accepted: %seed N, %stream K, %samples N, %timeout SECONDS"))
    }
}

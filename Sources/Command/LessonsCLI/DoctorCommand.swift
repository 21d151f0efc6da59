import ArgumentParser

extension LessonsCommand {
    /// `lessons doctor`: the versions and health of everything the project depends on.
    struct Doctor: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the versions and health of everything the project depends on, one line each.",
            discussion: """
                Items: the Swift compiler; GSL; the library cblas_sgemm binds to (OpenBLAS, never GSL's \
                reference libgslcblas), its core and threads, and a quick sgemm speed in GFLOP/s; gnuplot and \
                its svg, pngcairo and dumb terminals; the Fashion-MNIST files of the package \
                dataset-fashion-mnist; the committed weights in Models/. Each line says OK, WARN (works, \
                worth a look) or FAIL with what is wrong and what to install or do.
                Exit status: 0 when no item failed, 1 when any item failed.
                """)

        @Flag(help: "Print {\"items\": [{\"item\", \"status\", \"detail\"}, …], \"failed\", \"warnings\"} as JSON.")
        var json = false

        func run() throws {
            let report = DoctorReport.thisMachine()
            if json {
                try Terminal.printJSON(report)
            } else {
                print(report.table(color: Terminal.current.color), terminator: "")
            }
            if report.failed > 0 { throw ExitCode(1) }
        }
    }
}

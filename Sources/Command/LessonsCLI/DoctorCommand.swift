import ArgumentParser
import Foundation
import Neural

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
                --openblas-coretype prints only the OpenBLAS kernel family lessons chose in place of \
                OpenBLAS' Prescott fallback (nothing when OpenBLAS' own choice stands): `make test` hands it \
                to the test process, which cannot choose for itself.
                Exit status: 0 when no item failed, 1 when any item failed.
                """)

        @Flag(help: "Print {\"items\": [{\"item\", \"status\", \"detail\"}, …], \"failed\", \"warnings\"} as JSON.")
        var json = false

        @Flag(help: "Print only the OPENBLAS_CORETYPE that lessons chose for this CPU, or nothing.")
        var openblasCoretype = false

        func run() throws {
            if openblasCoretype {
                if BLASKernel.replacement != nil, let family = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] { print(family) }
                return
            }
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

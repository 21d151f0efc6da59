import Foundation
import Neural
@testable import LessonsCLI
import Testing

/// `lessons doctor`: the real command on this machine, and each probe pointed at something broken.
@Suite("lessons doctor")
struct DoctorTests {
    /// A fresh empty folder under the temporary directory.
    static func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("doctor-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test("on this machine every item is OK and the exit status is 0")
    func everythingOK() throws {
        let result = try Invocation(["doctor"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == DoctorWeights.committed.count + 7, "\(result.stdout)")
        for line in lines.dropLast() {
            #expect(line.contains("  OK  "), "\(line)")
        }
        #expect(lines.last?.hasPrefix("all ") == true && lines.last?.hasSuffix(" items OK") == true)
        #expect(!result.stdout.contains("\u{1B}["), "colour off a TTY")
        for item in ["swift", "gsl", "blas", "sgemm", "gnuplot", "fashion-mnist", "weights unet"] {
            #expect(lines.contains { $0.hasPrefix(item + " ") }, "no line for \(item)")
        }
    }

    @Test("--json parses, with one entry per item")
    func json() throws {
        let result = try Invocation(["doctor", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let items = try #require(object["items"] as? [[String: Any]])
        #expect(items.count == DoctorWeights.committed.count + 6)
        let names = items.compactMap { $0["item"] as? String }
        #expect(Set(names).count == items.count, "each item once: \(names)")
        for item in items {
            #expect(item["status"] as? String == "OK", "\(item)")
            #expect((item["detail"] as? String)?.isEmpty == false)
        }
        #expect(object["failed"] as? Int == 0)
        #expect(object["warnings"] as? Int == 0)
    }

    @Test("a missing dataset folder fails and names the package to install")
    func missingDataset() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let check = DoctorFashionMNIST.check(directory: folder.appendingPathComponent("nothing-here").path)
        #expect(check.status == .fail)
        #expect(check.detail.contains("apt-get install dataset-fashion-mnist"), "\(check.detail)")
    }

    @Test("corrupt dataset files fail, naming the file")
    func corruptDataset() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        for name in ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"] {
            try Data("not an IDX file".utf8).write(to: folder.appendingPathComponent(name))
        }
        let check = DoctorFashionMNIST.check(directory: folder.path)
        #expect(check.status == .fail)
        #expect(check.detail.contains("train-images-idx3-ubyte.gz"), "\(check.detail)")
        #expect(check.detail.contains("dataset-fashion-mnist"), "\(check.detail)")
    }

    @Test("a corrupt weights file fails, naming the file")
    func corruptWeights() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data([0xFF, 0x01, 0x02]).write(to: folder.appendingPathComponent("unet.safetensors"))
        let checks = DoctorWeights.checks(folder: folder, names: ["unet", "classifier"])
        #expect(checks.map(\.status) == [.fail, .fail])
        #expect(checks[0].item == "weights unet")
        #expect(checks[0].detail.contains("unet.safetensors"), "\(checks[0].detail)")
        #expect(checks[1].detail.contains("classifier.safetensors: no such file"), "\(checks[1].detail)")
        #expect(checks[1].detail.contains("git checkout"), "\(checks[1].detail)")
    }

    @Test("a damaged weights file (a flipped exponent byte) fails its checksum, naming the tensor; the committed ones match")
    func damagedWeights() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let damaged = try DamagedModelTests.damagedCopy(of: "classifier", in: folder)
        let checks = DoctorWeights.checks(folder: folder, names: ["classifier"])
        #expect(checks.count == 1 && checks[0].status == .fail)
        #expect(checks[0].detail.contains("tensor \"\(damaged.tensor)\" fails its checksum") && checks[0].detail.contains("git checkout"),
                "\(checks[0].detail)")
        let committed = DoctorWeights.checks()
        #expect(committed.count == 5 && committed.allSatisfy { $0.status == .ok && $0.detail.hasSuffix("CRC-32s match") }, "\(committed)")
    }

    @Test("no Models/ folder is one failing line")
    func noModelsFolder() {
        let checks = DoctorWeights.checks(folder: nil)
        #expect(checks.count == 1 && checks[0].status == .fail)
    }

    @Test("cblas_sgemm bound to GSL's libgslcblas fails; bound to OpenBLAS passes")
    func blasBinding() {
        let reference = DoctorBLAS.binding(libraryPath: "/usr/lib/x86_64-linux-gnu/libgslcblas.so.0",
                                           configuration: "", coreName: "Haswell", threads: 2)
        #expect(reference.status == .fail)
        #expect(reference.detail.contains("libgslcblas.so.0") && reference.detail.contains("20×"), "\(reference.detail)")
        #expect(reference.detail.contains("libopenblas-dev"))
        let other = DoctorBLAS.binding(libraryPath: "/usr/lib/libblas.so.3", configuration: "", coreName: "", threads: 1)
        #expect(other.status == .fail)
        let openBLAS = DoctorBLAS.binding(libraryPath: "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
                                          configuration: "OpenBLAS 0.3.21 DYNAMIC_ARCH Haswell", coreName: "Haswell", threads: 2)
        #expect(openBLAS.status == .ok)
        #expect(openBLAS.detail.contains("OpenBLAS 0.3.21") && openBLAS.detail.contains("Haswell") && openBLAS.detail.contains("2 threads"))
    }

    @Test("a replaced Prescott fallback is named on the blas line with the way to override it")
    func blasReplacement() {
        let line = DoctorBLAS.binding(libraryPath: "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
                                      configuration: "OpenBLAS 0.3.21", coreName: "Cooperlake", threads: 2,
                                      replacement: (fallback: "Prescott", chosen: "Cooperlake"))
        #expect(line.status == .ok)
        #expect(line.detail.contains("core Cooperlake") && line.detail.contains("fell back to Prescott") && line.detail.contains("OPENBLAS_CORETYPE"))
    }

    @Test("the binary does not run Prescott's kernels on a CPU with AVX2 or AVX-512; OPENBLAS_CORETYPE wins")
    func blasKernelInTheBinary() throws {
        func blasLine(_ run: Invocation) -> String? { run.stdout.split(separator: "\n").first { $0.hasPrefix("blas ") }.map(String.init) }
        let chosen = try #require(blasLine(try Invocation(["doctor"], unsetting: ["OPENBLAS_CORETYPE", "LESSONS_OPENBLAS_FALLBACK"])))
        if BLASKernel.family(flags: BLASKernel.cpuFlags()) != nil {
            #expect(!chosen.contains("core Prescott"), "\(chosen)")
        }
        let forced = try #require(blasLine(try Invocation(["doctor"], environment: ["OPENBLAS_CORETYPE": "PRESCOTT"])))
        #expect(forced.contains("core Prescott") && !forced.contains("lessons chose"), "\(forced)")
    }

    @Test("doctor --openblas-coretype prints the family the binary chose, or nothing; never with the user's own choice")
    func openBLASCoretype() throws {
        let own = try Invocation(["doctor", "--openblas-coretype"], unsetting: ["OPENBLAS_CORETYPE", "LESSONS_OPENBLAS_FALLBACK"])
        #expect(own.status == 0)
        let printed = own.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(printed.isEmpty || printed == BLASKernel.family(flags: BLASKernel.cpuFlags()), "\(printed)")
        let user = try Invocation(["doctor", "--openblas-coretype"], environment: ["OPENBLAS_CORETYPE": "HASWELL"])
        #expect(user.status == 0 && user.stdout.isEmpty, "\(user.stdout)")
    }

    @Test("an absurdly low sgemm figure fails", arguments: [0.0, 0.4, 1.99, .nan])
    func slowSgemm(gflops: Double) {
        let check = DoctorBLAS.throughput(gflops: gflops)
        #expect(check.status == .fail)
        #expect(check.detail.contains("reference CBLAS"))
    }

    @Test("a plausible sgemm figure passes and is printed")
    func fastSgemm() {
        let check = DoctorBLAS.throughput(gflops: 37.25)
        #expect(check.status == .ok)
        #expect(check.detail.hasPrefix("37.2 GFLOP/s") || check.detail.hasPrefix("37.3 GFLOP/s"))
    }

    @Test("a gnuplot that cannot be run fails with the install line")
    func missingGnuplot() {
        let check = DoctorGnuplot.check(.init(program: "/nonexistent/gnuplot"))
        #expect(check.status == .fail)
        #expect(check.detail.contains("apt-get install --no-install-recommends gnuplot-nox"), "\(check.detail)")
    }

    @Test("a gnuplot without the figures' terminals fails, naming them")
    func gnuplotWithoutTerminals() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let fake = folder.appendingPathComponent("gnuplot")
        let script = """
            #!/bin/sh
            if [ "$1" = "--version" ]; then echo "gnuplot 0.0 patchlevel fake"; exit 0; fi
            cat > /dev/null
            echo "line 0: unknown or ambiguous terminal type" >&2
            exit 1

            """
        try Data(script.utf8).write(to: fake)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fake.path)
        let check = DoctorGnuplot.check(.init(program: fake.path))
        #expect(check.status == .fail)
        for terminal in ["svg", "pngcairo", "dumb"] {
            #expect(check.detail.contains("terminal \(terminal) fails"), "\(check.detail)")
        }
        #expect(check.detail.contains("unknown or ambiguous terminal type"))
        #expect(check.detail.contains("gnuplot-nox"))
    }

    @Test("the table aligns the columns and the tally counts failures and warnings")
    func table() {
        let report = DoctorReport([.ok("gsl", "GSL 2.7.1"), .warn("blas", "unknown"), .fail("weights unet", "broken")])
        #expect(report.failed == 1 && report.warnings == 1)
        let lines = report.table(color: false).split(separator: "\n").map(String.init)
        #expect(lines == [
            "gsl           OK    GSL 2.7.1",
            "blas          WARN  unknown",
            "weights unet  FAIL  broken",
            "1 failed, 1 warning of 3 items",
        ])
        #expect(report.table(color: true).contains("\u{1B}[31mFAIL\u{1B}[0m"))
    }
}

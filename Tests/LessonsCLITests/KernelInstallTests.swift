import Foundation
import Testing

/// `lessons kernel install`: the kernelspec a Jupyter finds, pointing at this binary.
@Suite("lessons kernel install")
struct KernelInstallTests {
    @Test("--prefix DIR writes DIR/share/jupyter/kernels/lessons/kernel.json running cells through this binary",
          .enabled(if: FileManager.default.isExecutableFile(atPath: Invocation.repository.appendingPathComponent(".venv/bin/python").path)))
    func installs() throws {
        let prefix = try TrainCLITests.folder()
        let result = try Invocation(["kernel", "install", "--prefix", prefix.path])
        #expect(result.status == 0, "\(result.stderr)")
        let spec = prefix.appendingPathComponent("share/jupyter/kernels/lessons/kernel.json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: spec)) as? [String: Any])
        let environment = try #require(object["env"] as? [String: String])
        #expect(environment["LESSONS_BINARY"] == Invocation.binary.resolvingSymlinksInPath().path)
        #expect((object["argv"] as? [String])?.suffix(4) == ["-m", "lessons_kernel", "-f", "{connection_file}"])
        #expect(object["language"] as? String == "lessons")
    }

    @Test("bad input: two places, a Python that does not exist")
    func badInput() throws {
        let both = try Invocation(["kernel", "install", "--user", "--prefix", "/tmp/x"])
        #expect(both.status == 64 && both.stderr.contains("give one"), "\(both.stderr)")
        let missing = try Invocation(["kernel", "install", "--python", "/nonexistent/python", "--prefix", "/tmp/x"])
        #expect(missing.status == 4 && missing.stderr.contains("--python PATH"), "\(missing.stderr)")
        #expect(!missing.crashed)
    }
}

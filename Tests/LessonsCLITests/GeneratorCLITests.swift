import Foundation
import Testing

/// `--rng`: the checks' verdicts must not depend on one generator.
@Suite("--rng: GSL's generators as a second source of randomness")
struct GeneratorCLITests {
    @Test("run under each GSL generator: the draws differ from xoshiro's, the verdicts do not, and the output says which drew",
          arguments: ["mt19937", "ranlxd2"])
    func run(generator: String) throws {
        let base = ["run", "gaussian", "--cell", "2", "--samples", "20000"]
        let xoshiro = try Invocation(base + ["--json"])
        let gsl = try Invocation(base + ["--json", "--rng", generator])
        #expect(xoshiro.status == 0 && gsl.status == 0, "\(gsl.stderr)")
        let decoded = try JSONSerialization.jsonObject(with: Data(gsl.stdout.utf8)) as? [String: Any]
        #expect(decoded?["generator"] as? String == generator)
        #expect((decoded?["checks"] as? [Any])?.isEmpty == false)
        #expect(!xoshiro.stdout.contains("\"generator\""), "the default generator is not named in JSON")
        #expect(xoshiro.stdout != gsl.stdout.replacingOccurrences(of: "\"generator\" : \"\(generator)\",\n", with: ""))
        let text = try Invocation(base + ["--rng", generator])
        #expect(text.status == 0 && text.stdout.contains("draws: GSL's gsl_rng_\(generator)"), "\(text.stdout)")
    }

    @Test("an unknown generator is a usage error that lists the accepted ones")
    func unknown() throws {
        for command in [["run", "gaussian"], ["audit"], ["false-alarms"], ["calibrate"]] {
            let result = try Invocation(command + ["--rng", "pcg"])
            #expect(result.status == 64, "\(command)")
            #expect(result.stderr.contains("'xoshiro', 'mt19937' or 'ranlxd2'"), "\(command): \(result.stderr)")
        }
    }
}

/// `lessons calibrate` end to end, on the fast families (a few seconds at 1,000 samples).
@Suite("lessons calibrate")
struct CalibrateCLITests {
    static let fast = ["calibrate", "gaussian", "forward", "posterior", "--samples", "1000", "--seeds", "40"]

    @Test("the correct formulas are calibrated; JSON carries every check's statistics")
    func calibrated() throws {
        let result = try Invocation(Self.fast + ["--json"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let entries = try #require(report?["entries"] as? [[String: Any]])
        #expect(entries.count >= 10)
        let overall = try #require(report?["overall"] as? [String: Any])
        #expect((overall["zCount"] as? Int ?? 0) >= 1000 && (overall["nonFinite"] as? Int) == 0)
    }

    @Test("a planted standard error × 0.7 or × 1.5 is reported (exit 1)", arguments: ["0.7", "1.5"])
    func planted(factor: String) throws {
        let result = try Invocation(Self.fast + ["--plant-stderr", factor])
        #expect(result.status == 1)
        #expect(result.stdout.contains("PLANTED") && result.stdout.contains("MIS-CALIBRATED"), "\(result.stdout)")
        #expect(result.stdout.contains("var(z) = "), "\(result.stdout)")
    }

    @Test("at the smallest allowed sample size, 500, no standard error collapses and the z-scores stay calibrated")
    func smallestSampleSize() throws {
        let result = try Invocation(["calibrate", "gaussian", "forward", "--samples", "500", "--seeds", "40"])
        #expect(result.status == 0, "\(result.stdout)")
        #expect(result.stdout.contains("non-finite z: 0"))
    }

    @Test("bad input: unknown check, too few seeds, a factor out of range (exit 64)", arguments: [
        (["calibrate", "gausian"], "unknown check or family 'gausian'"),
        (["calibrate", "--seeds", "1"], "--seeds must be between 2 and 10000"),
        (["calibrate", "--plant-stderr", "0"], "--plant-stderr must be a factor between 0.1 and 10"),
    ])
    func badInput(arguments: [String], message: String) throws {
        let result = try Invocation(arguments)
        #expect(result.status == 64 && result.stderr.contains(message), "\(result.stderr)")
    }
}

import Foundation
import Testing

/// `lessons verify` as a user runs it: a trace written by hand, a wrong one, a configuration alone.
@Suite("lessons verify")
struct VerifyCLITests {
    /// A float64 DDPM trace of one step, from τ = 2 to τ = 1 of a 4-step linear schedule,
    /// whose posterior variance is computed upside down when `upsideDown`.
    static func trace(upsideDown: Bool) throws -> URL {
        let beta = [0.1, 0.2, 0.3, 0.4]
        var alphaBar: [Double] = []
        var product = 1.0
        for b in beta { product *= 1 - b; alphaBar.append(product) }
        let (t, s) = (alphaBar[2], alphaBar[1])
        let stepBeta = 1 - t / s
        let variance = upsideDown ? stepBeta * (1 - t) / (1 - s) : (1 - s) / (1 - t) * stepBeta
        let (epsilon, x, z) = ([0.3, -1.2], [0.5, 2.0], [1.1, -0.4])
        let x0 = zip(x, epsilon).map { ($0 - (1 - t).squareRoot() * $1) / t.squareRoot() }
        let prev = (0..<2).map { i in
            s.squareRoot() * stepBeta / (1 - t) * x0[i] + (1 - stepBeta).squareRoot() * (1 - s) / (1 - t) * x[i] + variance.squareRoot() * z[i]
        }
        let json: [String: Any] = [
            "format": "difftrace", "version": 1, "dtype": "float64", "scheduler": "ddpm",
            "config": ["num_train_timesteps": 4, "beta_schedule": "linear", "beta_start": 0.1, "beta_end": 0.4, "clip_sample": false],
            "records": [["quantity": "step", "timestep": 2, "model_output": epsilon, "sample": x, "noise": z, "prev_sample": prev, "pred_original_sample": x0]],
        ]
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("verify-\(UUID().uuidString).json")
        try JSONSerialization.data(withJSONObject: json).write(to: url)
        return url
    }

    @Test("a correct step passes; an upside-down β̃ fails and is named, in text and JSON")
    func verdicts() throws {
        let good = try Self.trace(upsideDown: false), bad = try Self.trace(upsideDown: true)
        defer { try? FileManager.default.removeItem(at: good); try? FileManager.default.removeItem(at: bad) }
        let pass = try Invocation(["verify", good.path])
        #expect(pass.status == 0, "\(pass.stdout)\(pass.stderr)")
        #expect(pass.stdout.contains("2 passed, 0 failed"))
        let fail = try Invocation(["verify", bad.path])
        #expect(fail.status == 1)
        #expect(fail.stdout.contains("✗ step.prev_sample") && fail.stdout.contains("→ ddpm.variance-upside-down"))
        let json = try Invocation(["verify", bad.path, "--json"])
        #expect(json.status == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["passed"] as? Int == 1 && object["failed"] as? Int == 1)
        let findings = try #require(object["findings"] as? [[String: Any]])
        #expect(findings.count == 2)
        let failing = try #require(findings.first { $0["pass"] as? Bool == false })
        let ids = (failing["diagnoses"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
        #expect(ids == ["ddpm.variance-upside-down"])
        for key in ["quantity", "t", "expected", "got", "relativeError", "tolerance"] { #expect(failing[key] != nil, "\(key)") }
    }

    @Test("a configuration alone is described: its signal leak and the timesteps it visits")
    func configurationAlone() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("config-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data(#"{"_class_name": "DDIMScheduler", "beta_schedule": "scaled_linear", "beta_start": 0.00085, "beta_end": 0.012, "steps_offset": 1}"#.utf8).write(to: url)
        let result = try Invocation(["verify", "--config", url.path, "--steps", "50"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("ᾱ_T = 0.004660099"))
        #expect(result.stdout.contains("981, 961, 941, 921, …, 21, 1; they never visit τ = 999"))
    }
}

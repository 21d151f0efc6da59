import Foundation
import Testing

/// `lessons calc ddim-step | convert | weight | cfg`: each printed number against the formula
/// written out here from the papers, from the ᾱ that `calc schedule` prints. Relative 1e-12.
@Suite("lessons calc for samplers")
struct CalcSamplerCLITests {
    static func json(_ arguments: [String]) throws -> [String: Any] {
        let run = try Invocation(arguments + ["--json"])
        #expect(run.status == 0, "\(arguments): \(run.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    }

    static func number(_ object: [String: Any], _ key: String) throws -> Double { try #require(object[key] as? Double, "no \(key)") }

    static func close(_ a: Double, _ b: Double, _ what: String) {
        #expect(abs(a - b) <= 1e-12 * max(abs(b), 1e-300), "\(what): \(a) vs \(b)")
    }

    /// ᾱ and β of `calc schedule` at t (1-based; ᾱ₀ = 1).
    static func schedule(_ name: String) throws -> (alphaBar: (Int) -> Double, beta: (Int) -> Double) {
        let values = try json(["calc", "schedule", "--schedule", name])
        let bars = try #require(values["alphaBar"] as? [Double]), betas = try #require(values["beta"] as? [Double])
        #expect(bars.count == 1000)
        return ({ $0 == 0 ? 1 : bars[$0 - 1] }, { betas[$0 - 1] })
    }

    @Test("ddim-step: DDIM eq. 12 with σ(η) of eq. 16, η = 0 and η = 0.5")
    func ddimStep() throws {
        let (alphaBar, _) = try Self.schedule("linear")
        for (eta, z) in [(0.0, 0.0), (0.5, 0.1)] {
            let out = try Self.json(["calc", "ddim-step", "--schedule", "linear", "--t", "500", "--s", "400", "--xt", "0.3", "--eps", "-0.7", "--eta", String(eta), "--z", String(z)])
            let (a, b) = (alphaBar(500), alphaBar(400))
            let x0 = (0.3 - (1 - a).squareRoot() * -0.7) / a.squareRoot()
            let sigma = eta * ((1 - b) / (1 - a)).squareRoot() * (1 - a / b).squareRoot()
            let prev = b.squareRoot() * x0 + (1 - b - sigma * sigma).squareRoot() * -0.7 + sigma * z
            Self.close(try Self.number(out, "x0"), x0, "x̂₀")
            Self.close(try Self.number(out, "sigma") + 1, sigma + 1, "σ")
            Self.close(try Self.number(out, "prev"), prev, "x_s at η = \(eta)")
        }
        // The last step to the clean end returns x̂₀ itself.
        let last = try Self.json(["calc", "ddim-step", "--schedule", "linear", "--t", "3", "--s", "0", "--xt", "0.3", "--eps", "-0.7"])
        Self.close(try Self.number(last, "prev"), try Self.number(last, "x0"), "x₀ at s = 0")
    }

    @Test("convert: x̂₀, ε̂, v̂ and the score agree whichever form goes in")
    func convert() throws {
        let (alphaBar, _) = try Self.schedule("cosine")
        let a = alphaBar(300)
        let (x0, epsilon) = (0.8, -0.25)
        let xt = a.squareRoot() * x0 + (1 - a).squareRoot() * epsilon
        let v = a.squareRoot() * epsilon - (1 - a).squareRoot() * x0
        for (form, value) in [("epsilon", epsilon), ("sample", x0), ("v_prediction", v)] {
            let out = try Self.json(["calc", "convert", "--schedule", "cosine", "--t", "300", "--from", form, "--value", String(value), "--xt", String(xt)])
            Self.close(try Self.number(out, "x0"), x0, "x̂₀ from \(form)")
            Self.close(try Self.number(out, "epsilon"), epsilon, "ε̂ from \(form)")
            Self.close(try Self.number(out, "v"), v, "v̂ from \(form)")
            Self.close(try Self.number(out, "score"), -epsilon / (1 - a).squareRoot(), "score from \(form)")
        }
    }

    @Test("weight: min-SNR-γ for ε, x₀, v and the bound's λ with β̃ and with β")
    func weight() throws {
        let (alphaBar, beta) = try Self.schedule("linear")
        for t in [40, 400] {  // SNR above and below γ = 5
            let (a, previous, b) = (alphaBar(t), alphaBar(t - 1), beta(t))
            let snr = a / (1 - a)
            for large in [false, true] {
                let out = try Self.json(["calc", "weight", "--schedule", "linear", "--t", String(t), "--gamma", "5"] + (large ? ["--large-variance"] : []))
                Self.close(try Self.number(out, "snr"), snr, "SNR")
                Self.close(try Self.number(out, "minSNR_x0"), min(snr, 5), "x₀ weight")
                Self.close(try Self.number(out, "minSNR_epsilon"), min(snr, 5) / snr, "ε weight")
                Self.close(try Self.number(out, "minSNR_v"), min(snr, 5) / (snr + 1), "v weight")
                let sigma2 = large ? b : (1 - previous) / (1 - a) * b
                let lambda = b * b / (2 * sigma2 * (1 - b) * (1 - a))
                Self.close(try Self.number(out, "vlb_epsilon"), lambda, "λ(ε)")
                Self.close(try Self.number(out, "vlb_x0"), lambda * snr, "λ(x₀)")
                Self.close(try Self.number(out, "vlb_v"), lambda * snr / (snr + 1), "λ(v)")
            }
        }
    }

    @Test("cfg: both conventions, and the rescale brings the spread to the conditional one's")
    func cfg() throws {
        let (u, c) = ([0.1, 0.5, -0.2, 0.9], [0.3, 0.1, 0.4, -0.6])
        let list = { (x: [Double]) in x.map { String($0) }.joined(separator: ",") }
        let plain = try Self.json(["calc", "cfg", "--uncond", list(u), "--cond", list(c), "--scale", "7.5"])
        let guided = try #require(plain["guided"] as? [Double])
        #expect(guided.count == 4)
        for i in 0..<4 { Self.close(guided[i], u[i] + 7.5 * (c[i] - u[i]), "guided[\(i)]") }
        let ho = try Self.json(["calc", "cfg", "--uncond", list(u), "--cond", list(c), "--scale", "6.5", "--convention", "ho_salimans"])
        let hoGuided = try #require(ho["guided"] as? [Double])
        for i in 0..<4 { Self.close(hoGuided[i], guided[i], "ho_salimans w = 6.5 is diffusers' 7.5 at [\(i)]") }
        func std(_ x: [Double]) -> Double {
            let mean = x.reduce(0, +) / Double(x.count)
            return (x.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(x.count - 1)).squareRoot()
        }
        let full = try #require(try Self.json(["calc", "cfg", "--uncond", list(u), "--cond", list(c), "--scale", "7.5", "--rescale", "1"])["rescaled"] as? [Double])
        Self.close(std(full), std(c), "std of the fully rescaled prediction")
        let mixed = try #require(try Self.json(["calc", "cfg", "--uncond", list(u), "--cond", list(c), "--scale", "7.5", "--rescale", "0.7"])["rescaled"] as? [Double])
        #expect(mixed.count == 4)
        for i in 0..<4 { Self.close(mixed[i], 0.7 * full[i] + 0.3 * guided[i], "φ = 0.7 mix at [\(i)]") }
    }
}

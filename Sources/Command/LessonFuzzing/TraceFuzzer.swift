import Dispatch
import Foundation
import Stochastic
import Verification

/// Property-based fuzzing of the trace reader and the verifier behind it (`lessons verify`).
///
/// Inputs come from small valid traces built in code (a DDPM trace with its schedule and
/// timesteps, a DDIM one, Euler ancestral, DPM-Solver++, Heun and DPM-Solver-3 ones with their
/// σ levels, and one of every formula record) by
/// token edits of the JSON text — a value replaced by another (huge, negative, fractional,
/// non-finite, a string, null, an array or object, another choice of a known option), a key
/// by another key — and by byte edits (flips, cuts, insertions).
///
/// The property: reading either throws a `TraceError` with a message, or returns a trace
/// that the verifier checks to the end, with passed + failed = the number of findings and
/// every finding's element index inside what it checked. Never a crash, never a slow input.
public struct TraceFuzzer: PropertyFuzzer, Sendable {
    public let corpus: [String]

    public init(corpus: [String] = TraceFuzzer.seedCorpus()) {
        self.corpus = corpus
    }

    /// One outcome that breaks the property.
    public struct Finding: Sendable, CustomStringConvertible {
        public let input: String
        public let problem: String
        public var description: String { "\(problem) on: \(input.prefix(240))" }
    }

    /// Valid traces of every step rule (small: T = 8, 3 inference steps, 2 values per array).
    public static func seedCorpus() -> [String] {
        let schedule = "\"betas\", \"values\": [0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45]"
        let config = #""config": {"num_train_timesteps": 8, "beta_schedule": "linear", "beta_start": 0.1, "beta_end": 0.45, "clip_sample": false, "timestep_spacing": "trailing"}"#
        func step(_ fields: String) -> String {
            #"{"quantity": "step", \#(fields), "model_output": [0.3, -1.2], "sample": [0.5, 2.0], "prev_sample": [0.4, 1.1], "noise": [1.1, -0.4], "shape": [1, 2]}"#
        }
        let timesteps = #"{"quantity": "timesteps", "num_inference_steps": 3, "values": [7, 4, 2]}"#
        let sigmas = #"{"quantity": "sigmas", "values": [2.5, 1.0, 0.4, 0.0]}"#
        func trace(_ kind: String, _ records: [String]) -> String {
            #"{"format": "difftrace", "version": 1, "dtype": "float32", "scheduler": "\#(kind)", \#(config), "records": [{"quantity": \#(schedule)}, \#(records.joined(separator: ", "))]}"#
        }
        return [
            trace("ddpm", [timesteps, step(#""timestep": 7"#), step(#""timestep": 2, "pred_original_sample": [0.1, 0.2]"#)]),
            trace("ddim", [timesteps, step(#""timestep": 4, "eta": 0.5"#)]),
            trace("euler_ancestral", [timesteps, sigmas, step(#""timestep": 7.0, "index": 0"#), step(#""timestep": 2.0, "index": 2"#)]),
            trace("dpmpp_2m", [timesteps, sigmas, step(#""timestep": 7, "index": 0"#), step(#""timestep": 4, "index": 1"#)]),
            trace("heun", [timesteps, sigmas, step(#""timestep": 7, "index": 0, "model_output_2": [0.2, 0.1], "predictor_sample": [0.6, 1.9]"#), step(#""timestep": 2, "index": 2"#)]),
            trace("dpm_solver_3", [timesteps, sigmas, step(#""timestep": 7, "index": 1, "stages": [{"model_output": [0.2, 0.1], "sample": [0.6, 1.9]}, {"model_output": [0.3, 0.0]}]"#)]),
            trace("ddpm", [
                #"{"quantity": "q_sample", "timestep": 3, "x0": [0.5, -1.0], "noise": [0.2, 0.7], "value": [0.4, -0.3]}"#,
                #"{"quantity": "conversion", "timestep": 5, "from": "v_prediction", "to": "score", "x_t": [0.1, 0.9], "input": [0.3, -0.2], "value": [1.0, 2.0]}"#,
                #"{"quantity": "posterior", "timestep": 6, "prev_timestep": 2, "x0": [0.5, -1.0], "x_t": [0.1, 0.9], "mean": [0.3, 0.1], "variance": 0.05}"#,
                #"{"quantity": "loss_weight", "weighting": "min_snr", "gamma": 5, "prediction_type": "v_prediction", "timesteps": [1, 4, 7], "values": [0.5, 0.4, 0.1]}"#,
                #"{"quantity": "loss_weight", "weighting": "vlb", "timesteps": [1, 4], "values": [0.5, 0.4]}"#,
                #"{"quantity": "cfg", "guidance_scale": 7.5, "guidance_rescale": 0.7, "uncond": [0.1, 0.5, -0.2, 0.9], "cond": [0.3, 0.1, 0.4, -0.6], "value": [1, 2, 3, 4], "shape": [2, 2]}"#,
                #"{"quantity": "snr", "timesteps": [0, 7], "values": [9.0, 0.2]}"#,
            ]),
        ]
    }

    static let replacements = [
        "1e400", "-1", "0", "0.5", "2", "-0.0", "1e9", "9007199254740993", "\"nan\"", "\"inf\"", "\"-inf\"", "NaN",
        "true", "null", "[]", "{}", "\"\"", "\"x\"", "[1, 2, 3]", "{\"a\": 1}", "\"step\"", "\"sigmas\"", "\"euler\"", "\"float16\"",
        "[0.1]", "[0.5, \"nan\"]", "\"v_prediction\"", "\"sample\"", "\"sigma_min\"", "\"leading\"", "\"linspace\"", "\"fixed_large\"",
        "\"learned_range\"", "\"squaredcos_cap_v2\"", "\"ddpm\"", "\"ddim\"", "\"dpmpp_2m\"", "\"euler_ancestral\"", "1", "3", "7", "8",
        "\"heun\"", "\"dpm_solver_2\"", "\"dpm_solver_3\"", "\"scaled\"", "\"score\"", "\"min_snr\"", "\"vlb\"", "\"ho_salimans\"", "[2, 2]",
    ]

    static let keys = [
        "\"timestep\"", "\"index\"", "\"values\"", "\"quantity\"", "\"noise\"", "\"eta\"", "\"shape\"", "\"x\"",
        "\"num_train_timesteps\"", "\"prediction_type\"", "\"use_karras_sigmas\"", "\"final_sigmas_type\"", "\"solver_order\"",
        "\"stages\"", "\"model_output_2\"", "\"sample_space\"", "\"from\"", "\"to\"", "\"gamma\"", "\"guidance_rescale\"", "\"prev_timestep\"",
    ]

    /// The i-th generated input of a run seeded with `seed` (deterministic).
    public func input(_ index: Int, seed: UInt64) -> String {
        var stream = RandomStream(seed: seed, stream: UInt64(index))
        func random(_ bound: Int) -> Int { bound <= 0 ? 0 : Int(stream.next() % UInt64(bound)) }
        guard !corpus.isEmpty else { return "" }
        var text = corpus[random(corpus.count)]
        for _ in 0...random(3) {
            if random(5) == 0 {
                var bytes = Array(text.utf8)
                guard !bytes.isEmpty else { break }
                let at = random(bytes.count)
                switch random(3) {
                case 0: bytes[at] ^= UInt8(1 << random(8))
                case 1: bytes.removeSubrange(at..<min(bytes.count, at + 1 + random(40)))
                default: bytes.insert(UInt8(truncatingIfNeeded: stream.next()), at: at)
                }
                text = String(decoding: bytes, as: UTF8.self)
            } else {
                let tokens = Self.tokens(text)
                guard !tokens.isEmpty else { break }
                let token = tokens[random(tokens.count)]
                // A key becomes another key (known or not); a value another value, so most
                // inputs stay JSON and reach the reader's field checks.
                let isKey = text[token.upperBound...].first { !$0.isWhitespace } == ":"
                let choices = isKey ? Self.keys : Self.replacements
                text.replaceSubrange(token, with: choices[random(choices.count)])
            }
        }
        return text
    }

    /// The ranges of the numbers and strings of a JSON text.
    static func tokens(_ text: String) -> [Range<String.Index>] {
        var result: [Range<String.Index>] = []
        var i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            if c == "\"" {
                var j = text.index(after: i)
                while j < text.endIndex, text[j] != "\"" { j = text.index(after: j) }
                let end = j < text.endIndex ? text.index(after: j) : j
                result.append(i..<end)
                i = end
            } else if c.isNumber || c == "-" {
                var j = i
                while j < text.endIndex, "0123456789.eE+-".contains(text[j]) { j = text.index(after: j) }
                result.append(i..<j)
                i = j
            } else {
                i = text.index(after: i)
            }
        }
        return result
    }

    public func check(_ input: String, timeLimit: Double = 1) -> Finding? {
        let start = DispatchTime.now().uptimeNanoseconds
        if let problem = Self.problem(input) { return Finding(input: input, problem: problem) }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return seconds > timeLimit ? Finding(input: input, problem: "slow input (\(seconds) s)") : nil
    }

    /// What breaks the property on `input`, or nil.
    static func problem(_ input: String) -> String? {
        let trace: Trace
        do {
            trace = try TraceReader.read(Data(input.utf8))
        } catch let error as TraceError {
            return error.message.isEmpty ? "a TraceError without a message" : nil
        } catch {
            return "threw \(type(of: error)), not a TraceError: \(error)"
        }
        let report = Verify.run(trace)
        guard report.passed + report.failed == report.findings.count else {
            return "passed \(report.passed) + failed \(report.failed) ≠ \(report.findings.count) findings"
        }
        for finding in report.findings {
            if let index = finding.index, finding.checked > 0, !(0..<finding.checked).contains(index) {
                return "finding \(finding.quantity) points at element \(index) of \(finding.checked)"
            }
        }
        return nil
    }

    /// How the inputs of a run end: "accepted", or the first part of the error's path.
    public func outcomes(count: Int, seed: UInt64) -> [String: Int] {
        var counts: [String: Int] = [:]
        for index in 0..<count {
            let key: String
            do {
                _ = try TraceReader.read(Data(input(index, seed: seed).utf8))
                key = "accepted"
            } catch let error as TraceError {
                key = error.path.isEmpty ? "file" : String(error.path.prefix { $0 != "." && $0 != "[" })
            } catch {
                key = "other"
            }
            counts[key, default: 0] += 1
        }
        return counts
    }
}

import Foundation

/// A trace file that cannot be read, with where and why (`lessons verify` exits 4).
public struct TraceError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Where in the document, e.g. "records[3].values[12]" (empty for the file itself).
    public let path: String
    public let message: String

    public init(_ path: String, _ message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

/// Reads a trace strictly: every field typed and in range, every array the length the
/// trace says, every quantity known. Nothing in a hostile file crashes it or makes it
/// allocate more than the file's size suggests.
public enum TraceReader {
    /// The largest trace file read (a 50-step trace of Stable Diffusion latents is ~60 MB).
    public static let maximumBytes = 256 << 20
    /// The largest array in a step (a 4 × 128 × 128 latent is 65 536).
    public static let maximumElements = 1 << 24

    public static func read(contentsOf url: URL) throws -> Trace {
        let attributes = try? FileManager.default.attributesOfItem(atPath: url.path)
        guard let size = attributes?[.size] as? Int else { throw TraceError("", "no such file") }
        guard size <= maximumBytes else {
            throw TraceError("", "the file is \(size >> 20) MiB; traces up to \(maximumBytes >> 20) MiB are read")
        }
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw TraceError("", "cannot be read: \(error.localizedDescription)") }
        return try read(data)
    }

    public static func read(_ data: Data) throws -> Trace {
        let document: JSONValue
        do {
            document = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch let DecodingError.dataCorrupted(context) {
            let detail = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            let bare = ["NaN", "Infinity"].contains { data.range(of: Data($0.utf8)) != nil }
            throw TraceError("", "not valid JSON\(detail.map { ": \($0)" } ?? "")\(bare ? " (NaN and ∞ are written as the strings \"nan\", \"inf\", \"-inf\")" : "")")
        } catch {
            throw TraceError("", "not valid JSON")
        }
        if let (path, key) = DuplicateKeys.first(in: data) {
            throw TraceError(path, "the key \"\(key)\" appears twice in one object; readers disagree on which value counts, so a trace may say each thing once")
        }
        let root = try Node(document, path: "").object()
        let format = try root.required("format").string()
        guard format == Trace.formatName else {
            throw TraceError("format", "expected \"\(Trace.formatName)\", got \"\(format)\"")
        }
        let version = try root.required("version").integer(in: 0...1_000_000)
        guard Trace.versions.contains(version) else {
            throw TraceError("version", "version \(version) is not read; this verifier reads version \(Trace.versions.map(String.init).joined(separator: ", "))")
        }
        let precision = try root.required("dtype").choice(Precision.self)
        var producer: [String: String] = [:]
        if let node = root.optional("producer") {
            for (key, value) in try node.object().fields {
                producer[key] = try value.string()
            }
        }
        let scheduler = try root.optional("scheduler").map { try $0.choice(StepKind.self) }
        var ignored: [String] = []
        let config = try root.optional("config").map { try readConfig($0.object(), ignored: &ignored) } ?? SchedulerConfig()
        if scheduler == .heun, let clip = try root.optional("config")?.object().optional("clip_sample"), case .bool(true) = clip.value {
            throw TraceError(clip.path, "heun steps are verified without clipping x̂₀ (diffusers' default clip_sample: false)")
        }
        if scheduler == .flowEuler, config.useKarrasSigmas {
            throw TraceError("config.use_karras_sigmas", "flow_euler levels are verified without Karras spacing")
        }
        var sampleSpace: SampleSpace?
        if let node = root.optional("sample_space") {
            let space = try node.choice(SampleSpace.self)
            let accepted = (scheduler ?? .ddpm).sampleSpaces
            guard accepted.contains(space) else {
                throw TraceError(node.path, "\(scheduler?.rawValue ?? "a trace without a scheduler") records its samples in \(accepted.map(\.rawValue).joined(separator: " or ")) space, not \(space.rawValue)")
            }
            sampleSpace = space
        }
        let recordNodes = try root.required("records").array()
        guard !recordNodes.isEmpty else { throw TraceError("records", "a trace needs at least one record") }
        var records: [TraceRecord] = []
        for node in recordNodes {
            let object = try node.object()
            do {
                records.append(try readRecord(object, config: config, kind: scheduler))
            } catch let error as TraceError {
                // Name the record's quantity, so the message reads without the file open.
                guard case .string(let quantity)? = object.optional("quantity")?.value, error.path.hasPrefix(node.path) else { throw error }
                throw TraceError(error.path, "\(error.message) (in a \(quantity) record)")
            }
        }
        let hasSteps = records.contains { if case .step = $0 { return true } else { return false } }
        if scheduler?.isSigmaSpace == true, hasSteps, !records.contains(where: { if case .sigmas = $0 { return true } else { return false } }) {
            throw TraceError("records", "\(scheduler!.rawValue) steps are placed by index on the σ levels: the trace needs a sigmas record")
        }
        if let sigmas = records.lazy.compactMap({ if case .sigmas(let values) = $0 { return values } else { return nil } }).first {
            for (position, record) in records.enumerated() {
                if case .timesteps(let k, _) = record, sigmas.count != k + 1 {
                    throw TraceError("records", "the sigmas record has \(sigmas.count) levels; \(k) timesteps need \(k + 1) (one after the last step)")
                }
                if case .step(let step) = record, let index = step.index, index + 1 >= sigmas.count {
                    throw TraceError("records[\(position)].index", "\(index) has no next level: the sigmas record has \(sigmas.count) levels (accepted: 0…\(sigmas.count - 2))")
                }
                if case .step(let step) = record, let order = scheduler?.singleStepOrder, let index = step.index {
                    let needed = sigmas[index + 1] != 0 ? order - 1 : 0
                    guard (step.stages?.count ?? 0) == needed else {
                        throw TraceError("records[\(position)].stages", "has \(step.stages?.count ?? 0) stages; a \(scheduler!.rawValue) step to σ = \(sigmas[index + 1]) evaluates the model at \(needed) intermediate point\(needed == 1 ? "" : "s")")
                    }
                }
                if case .step(let step) = record, scheduler == .heun, let index = step.index, sigmas[index + 1] != 0, step.modelOutput2 == nil {
                    throw TraceError("records[\(position)]", "missing field \"model_output_2\": a Heun step to σ = \(sigmas[index + 1]) > 0 evaluates the model twice")
                }
            }
        }
        if scheduler == nil, hasSteps {
            throw TraceError("scheduler", "required when the trace has step records (accepted: \(StepKind.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        for key in root.fields.keys.sorted() where !["format", "version", "dtype", "producer", "scheduler", "config", "records", "sample_space"].contains(key) {
            ignored.append(key)
        }
        return Trace(
            version: version, producer: producer, precision: precision, scheduler: scheduler, config: config,
            ignoredConfigKeys: ignored, records: records, sampleSpace: sampleSpace)
    }

    /// A diffusers `scheduler_config.json` on its own (the keys of a trace's `config`).
    public static func readConfigFile(contentsOf url: URL, ignored: inout [String]) throws -> SchedulerConfig {
        guard let data = FileManager.default.contents(atPath: url.path) else { throw TraceError("", "no such file") }
        guard data.count <= maximumBytes else { throw TraceError("", "too large for a configuration") }
        let document: JSONValue
        do { document = try JSONDecoder().decode(JSONValue.self, from: data) } catch { throw TraceError("", "not valid JSON") }
        if let (path, key) = DuplicateKeys.first(in: data) {
            throw TraceError(path.isEmpty ? "config" : "config.\(path)", "the key \"\(key)\" appears twice")
        }
        return try readConfig(Node(document, path: "config").object(), ignored: &ignored)
    }

    static func readConfig(_ node: ObjectNode, ignored: inout [String]) throws -> SchedulerConfig {
        var config = SchedulerConfig()
        for (key, value) in node.fields.sorted(by: { $0.key < $1.key }) {
            if case .null = value.value, key != "trained_betas" { continue }  // diffusers writes null for "not set"
            switch key {
            case "num_train_timesteps": config.trainSteps = try value.integer(in: 2...100_000)
            case "beta_schedule": config.betaSchedule = try value.choice(SchedulerConfig.BetaSchedule.self)
            case "beta_start": config.betaStart = try value.number(in: 0...1, open: true)
            case "beta_end": config.betaEnd = try value.number(in: 0...1, open: true)
            case "trained_betas":
                if case .null = value.value { continue }
                config.trainedBetas = try value.numbers(maximumCount: 100_000)
            case "rescale_betas_zero_snr": config.rescaleZeroSNR = try value.bool()
            case "prediction_type": config.prediction = try value.choice(SchedulerConfig.PredictionType.self)
            case "variance_type": config.variance = try value.choice(SchedulerConfig.VarianceType.self)
            case "clip_sample": config.clipSample = try value.bool()
            case "clip_sample_range": config.clipRange = try value.number(in: 0...1e6, open: true)
            case "thresholding": config.thresholding = try value.bool()
            case "dynamic_thresholding_ratio": config.thresholdRatio = try value.number(in: 0...1, open: true)
            case "sample_max_value": config.sampleMaxValue = try value.number(in: 1...1e6)
            case "timestep_spacing": config.spacing = try value.choice(SchedulerConfig.Spacing.self)
            case "steps_offset": config.stepsOffset = try value.integer(in: 0...100_000)
            case "set_alpha_to_one": config.setAlphaToOne = try value.bool()
            case "use_karras_sigmas": config.useKarrasSigmas = try value.bool()
            case "final_sigmas_type": config.finalSigma = try value.choice(SchedulerConfig.FinalSigma.self)
            case "interpolation_type": config.interpolation = try value.choice(SchedulerConfig.Interpolation.self)
            case "use_exponential_sigmas", "use_beta_sigmas":
                guard try !value.bool() else { throw TraceError(value.path, "only use_karras_sigmas is verified; \(key) = true is not supported") }
            case "solver_order": config.solverOrder = try value.integer(in: 1...2)
            case "lower_order_final": config.lowerOrderFinal = try value.bool()
            case "euler_at_final": config.eulerAtFinal = try value.bool()
            case "algorithm_type":
                guard try value.string() == "dpmsolver++" else { throw TraceError(value.path, "only \"dpmsolver++\" is verified") }
            case "solver_type":
                guard try value.string() == "midpoint" else { throw TraceError(value.path, "only the \"midpoint\" second-order update is verified") }
            case "shift": config.shift = try value.number(in: 0...1e6, open: true)
            case "shift_terminal":
                throw TraceError(value.path, "a terminal stretch of the flow levels is not verified (accepted: null)")
            case "use_lu_lambdas", "use_flow_sigmas", "use_dynamic_shifting", "invert_sigmas", "stochastic_sampling":
                guard try !value.bool() else { throw TraceError(value.path, "\(key) = true is not supported by the verifier") }
            case "lambda_min_clipped":
                let clipped: Double
                if case .string("-inf") = value.value { clipped = -.infinity } else { clipped = try value.number(in: -1e300...1e300) }
                guard clipped == -.infinity else { throw TraceError(value.path, "only -inf (no clipping of λ) is verified") }
            case "timestep_type":
                guard try value.string() == "discrete" else { throw TraceError(value.path, "only \"discrete\" timesteps are verified") }
            default:
                if !key.hasPrefix("_") { ignored.append("config.\(key)") }
            }
        }
        guard config.betaStart <= config.betaEnd else {
            throw TraceError("config.beta_start", "must not exceed beta_end (got \(config.betaStart) > \(config.betaEnd))")
        }
        if let betas = config.trainedBetas {
            guard betas.count == config.trainSteps else {
                throw TraceError("config.trained_betas", "has \(betas.count) values; num_train_timesteps is \(config.trainSteps)")
            }
            if let bad = betas.firstIndex(where: { !($0 > 0 && $0 <= 1) }) {
                throw TraceError("config.trained_betas[\(bad)]", "β must lie in (0, 1] (got \(betas[bad]))")
            }
        }
        if config.rescaleZeroSNR, config.trainSteps < 2 {
            throw TraceError("config.rescale_betas_zero_snr", "needs num_train_timesteps ≥ 2")
        }
        return config
    }

    static let quantities = ["betas", "alphas_cumprod", "timesteps", "sigmas", "step"]

    static func readRecord(_ node: ObjectNode, config: SchedulerConfig, kind: StepKind?) throws -> TraceRecord {
        let quantity = try node.required("quantity").string()
        let steps = config.trainSteps
        switch quantity {
        case "betas", "alphas_cumprod":
            let values = try node.required("values").numbers(maximumCount: steps, allowNonFinite: true)
            guard values.count == steps else {
                throw TraceError(node.path + ".values", "has \(values.count) values; num_train_timesteps is \(steps)")
            }
            return quantity == "betas" ? .betas(values) : .alphasCumprod(values)
        case "timesteps":
            let count = try node.required("num_inference_steps").integer(in: 1...steps)
            let valuesNode = try node.required("values")
            let values = try valuesNode.array()
            guard values.count == count else {
                throw TraceError(valuesNode.path, "has \(values.count) values; num_inference_steps is \(count)")
            }
            let read: [Double]
            if kind?.isSigmaSpace == true {
                read = try values.map { try $0.number(in: Double(-steps)...Double(2 * steps)) }
            } else {
                read = try values.map { Double(try $0.integer(in: -steps...(2 * steps))) }
            }
            return .timesteps(inferenceSteps: count, values: read)
        case "sigmas":
            let values = try node.required("values").numbers(maximumCount: steps + 1, allowNonFinite: true)
            guard values.count >= 2 else { throw TraceError(node.path + ".values", "needs at least 2 levels (got \(values.count))") }
            return .sigmas(values)
        case "step":
            let sigmaSpace = kind?.isSigmaSpace == true
            let timestep = sigmaSpace
                ? Int(try node.required("timestep").number(in: Double(-steps)...Double(2 * steps)).rounded())
                : try node.required("timestep").integer(in: 0...(steps - 1))
            let index = sigmaSpace ? try node.required("index").integer(in: 0...(steps - 1)) : nil
            let modelOutput = try node.required("model_output").numbers(maximumCount: maximumElements, allowNonFinite: true)
            guard !modelOutput.isEmpty else { throw TraceError(node.path + ".model_output", "is empty") }
            func same(_ key: String) throws -> [Double] {
                let values = try node.required(key).numbers(maximumCount: maximumElements, allowNonFinite: true)
                guard values.count == modelOutput.count else {
                    throw TraceError(node.path + "." + key, "has \(values.count) values; model_output has \(modelOutput.count)")
                }
                return values
            }
            func optionalSame(_ key: String) throws -> [Double]? {
                guard let found = node.optional(key) else { return nil }
                if case .null = found.value { return nil }
                return try same(key)
            }
            var shape: [Int]?
            if let shapeNode = node.optional("shape") {
                let dims = try shapeNode.array()
                guard (1...8).contains(dims.count) else { throw TraceError(shapeNode.path, "expected 1 to 8 dimensions, got \(dims.count)") }
                let sizes = try dims.map { try $0.integer(in: 1...maximumElements) }
                let product = sizes.reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 }
                guard product == modelOutput.count else {
                    throw TraceError(shapeNode.path, "\(sizes) holds \(product) values; model_output has \(modelOutput.count)")
                }
                shape = sizes
            }
            let eta = try node.optional("eta").map { try $0.number(in: 0...1e6) } ?? 0
            return .step(StepRecord(
                timestep: timestep, modelOutput: modelOutput, sample: try same("sample"), prevSample: try same("prev_sample"),
                predOriginalSample: try optionalSame("pred_original_sample"), noise: try optionalSame("noise"),
                predictedVariance: try optionalSame("predicted_variance"), eta: eta, shape: shape, index: index,
                modelOutput2: kind == .heun ? try optionalSame("model_output_2") : nil,
                predictorSample: kind == .heun ? try optionalSame("predictor_sample") : nil,
                stages: try readStages(node, count: modelOutput.count, kind: kind)))
        default:
            if let formula = try readFormula(quantity, node, config: config) { return .formula(formula) }
            throw TraceError(node.path + ".quantity", "unknown quantity \"\(quantity)\" (known: \((quantities + formulaQuantities).joined(separator: ", ")))")
        }
    }
}

/// A value in the document with its path, and typed readers that fail with that path.
struct Node {
    let value: JSONValue
    let path: String

    init(_ value: JSONValue, path: String) {
        self.value = value
        self.path = path
    }

    func object() throws -> ObjectNode {
        guard case .object(let fields) = value else { throw TraceError(path, "expected an object, got \(value.kind)") }
        return ObjectNode(fields: fields, path: path)
    }

    func array() throws -> [Node] {
        guard case .array(let items) = value else { throw TraceError(path, "expected an array, got \(value.kind)") }
        return items.enumerated().map { Node($1, path: "\(path)[\($0)]") }
    }

    func string() throws -> String {
        guard case .string(let text) = value else { throw TraceError(path, "expected a string, got \(value.kind)") }
        return text
    }

    func bool() throws -> Bool {
        guard case .bool(let flag) = value else { throw TraceError(path, "expected true or false, got \(value.kind)") }
        return flag
    }

    func choice<C: RawRepresentable & CaseIterable>(_ type: C.Type) throws -> C where C.RawValue == String {
        let text = try string()
        guard let chosen = C(rawValue: text) else {
            throw TraceError(path, "\"\(text)\" is not accepted (accepted: \(C.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return chosen
    }

    /// A finite number in `range` (open at both ends when `open`).
    func number(in range: ClosedRange<Double>, open: Bool = false) throws -> Double {
        guard case .number(let x) = value else { throw TraceError(path, "expected a number, got \(value.kind)") }
        let inside = open ? (x > range.lowerBound && x < range.upperBound) : range.contains(x)
        guard x.isFinite, inside else {
            throw TraceError(path, "\(x) is out of range (accepted: \(open ? "(" : "[")\(range.lowerBound), \(range.upperBound)\(open ? ")" : "]"))")
        }
        return x
    }

    func integer(in range: ClosedRange<Int>) throws -> Int {
        guard case .number(let x) = value else { throw TraceError(path, "expected an integer, got \(value.kind)") }
        guard x.isFinite, x == x.rounded(), Swift.abs(x) < 1e15 else { throw TraceError(path, "expected an integer, got \(x)") }
        let n = Int(x)
        guard range.contains(n) else { throw TraceError(path, "\(n) is out of range (accepted: \(range.lowerBound)…\(range.upperBound))") }
        return n
    }

    /// An array of numbers; with `allowNonFinite`, the strings "nan", "inf", "-inf" too.
    func numbers(maximumCount: Int, allowNonFinite: Bool = false) throws -> [Double] {
        guard case .array(let items) = value else { throw TraceError(path, "expected an array of numbers, got \(value.kind)") }
        guard items.count <= maximumCount else {
            throw TraceError(path, "has \(items.count) values; at most \(maximumCount) are expected here")
        }
        var result: [Double] = []
        result.reserveCapacity(items.count)
        for (i, item) in items.enumerated() {
            switch item {
            case .number(let x): result.append(x)
            case .string("nan") where allowNonFinite: result.append(.nan)
            case .string("inf") where allowNonFinite: result.append(.infinity)
            case .string("-inf") where allowNonFinite: result.append(-.infinity)
            default:
                throw TraceError("\(path)[\(i)]", "expected a number\(allowNonFinite ? " (or \"nan\", \"inf\", \"-inf\")" : ""), got \(item.kind)")
            }
        }
        return result
    }
}

struct ObjectNode {
    let fields: [String: Node]
    let path: String

    init(fields: [String: JSONValue], path: String) {
        self.path = path
        var nodes: [String: Node] = [:]
        for (key, value) in fields { nodes[key] = Node(value, path: path.isEmpty ? key : "\(path).\(key)") }
        self.fields = nodes
    }

    func required(_ key: String) throws -> Node {
        guard let node = fields[key] else { throw TraceError(path, "missing field \"\(key)\"") }
        return node
    }

    func optional(_ key: String) -> Node? { fields[key] }
}

extension TraceReader {
    /// A singlestep DPM-Solver step's `stages`: objects with `model_output` and an optional
    /// `sample`, each the step's length (nil for other rules, which must not have them).
    static func readStages(_ node: ObjectNode, count: Int, kind: StepKind?) throws -> [StepRecord.Stage]? {
        guard let stagesNode = node.optional("stages") else { return nil }
        guard kind == .dpmSolver2 || kind == .dpmSolver3 else {
            throw TraceError(stagesNode.path, "only dpm_solver_2 and dpm_solver_3 steps have stages")
        }
        let items = try stagesNode.array()
        guard items.count <= 2 else { throw TraceError(stagesNode.path, "has \(items.count) stages; at most 2 (DPM-Solver-3)") }
        return try items.map { item in
            let object = try item.object()
            func same(_ key: String) throws -> [Double]? {
                guard let found = object.optional(key) else { return nil }
                if case .null = found.value { return nil }
                let values = try found.numbers(maximumCount: maximumElements, allowNonFinite: true)
                guard values.count == count else { throw TraceError(found.path, "has \(values.count) values; model_output has \(count)") }
                return values
            }
            guard let output = try same("model_output") else { throw TraceError(object.path, "missing field \"model_output\"") }
            return StepRecord.Stage(modelOutput: output, sample: try same("sample"))
        }
    }
}

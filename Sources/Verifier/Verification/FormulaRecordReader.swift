import ScoreODE

extension TraceReader {
    static let formulaQuantities = ["q_sample", "velocity", "conversion", "posterior", "snr", "loss_weight", "cfg"]

    /// A formula record (docs/trace-format.md, "Formula records"), or nil for another quantity.
    static func readFormula(_ quantity: String, _ node: ObjectNode, config: SchedulerConfig) throws -> FormulaRecord? {
        let steps = config.trainSteps
        func timestep(_ key: String = "timestep") throws -> Int { try node.required(key).integer(in: 0...(steps - 1)) }
        /// An input (what the code was given: finite) or an output (what it computed: NaN and
        /// ∞ are read, and fail their check).
        func array(_ key: String) throws -> [Double] {
            let output = ["value", "mean"].contains(key)
            let read = try node.required(key)
            let values = try read.numbers(maximumCount: maximumElements, allowNonFinite: output)
            guard !values.isEmpty else { throw TraceError(read.path, "is empty") }
            if !output, let bad = values.firstIndex(where: { !$0.isFinite }) {
                throw TraceError("\(read.path)[\(bad)]", "an input must be finite (got \(values[bad]))")
            }
            return values
        }
        /// Arrays that must have the first one's length.
        func arrays(_ keys: [String]) throws -> [[Double]] {
            let first = try array(keys[0])
            return try [first] + keys.dropFirst().map { key in
                let values = try array(key)
                guard values.count == first.count else {
                    throw TraceError(node.path + "." + key, "has \(values.count) values; \(keys[0]) has \(first.count)")
                }
                return values
            }
        }
        func timestepsAndValues() throws -> ([Int], [Double]) {
            let list = try node.required("timesteps").array()
            guard !list.isEmpty, list.count <= maximumElements else {
                throw TraceError(node.path + ".timesteps", "expected 1 to \(maximumElements) timesteps, got \(list.count)")
            }
            let timesteps = try list.map { try $0.integer(in: 0...(steps - 1)) }
            let values = try node.required("values").numbers(maximumCount: maximumElements, allowNonFinite: true)
            guard values.count == timesteps.count else {
                throw TraceError(node.path + ".values", "has \(values.count) values; timesteps has \(timesteps.count)")
            }
            return (timesteps, values)
        }
        func checkShape(count: Int) throws -> Int {
            guard let shapeNode = node.optional("shape") else { return 1 }
            let dims = try shapeNode.array()
            guard (1...8).contains(dims.count) else { throw TraceError(shapeNode.path, "expected 1 to 8 dimensions, got \(dims.count)") }
            let sizes = try dims.map { try $0.integer(in: 1...maximumElements) }
            let product = sizes.reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 }
            guard product == count else { throw TraceError(shapeNode.path, "\(sizes) holds \(product) values; the arrays have \(count)") }
            return sizes[0]
        }

        switch quantity {
        case "q_sample", "velocity":
            let tau = try timestep()
            let read = try arrays(["x0", "noise", "value"])
            _ = try checkShape(count: read[0].count)
            return quantity == "q_sample"
                ? .qSample(timestep: tau, x0: read[0], noise: read[1], value: read[2])
                : .velocity(timestep: tau, x0: read[0], noise: read[1], value: read[2])
        case "conversion":
            let tau = try timestep()
            let from = try node.required("from").choice(FormulaRecord.Conversion.Target.self)
            let to = try node.required("to").choice(FormulaRecord.Conversion.Target.self)
            guard from != .score else { throw TraceError(node.path + ".from", "conversions from the score are not read (accepted: epsilon, sample, v_prediction)") }
            guard from != to else { throw TraceError(node.path + ".to", "is the same as from (\"\(to.rawValue)\"): nothing is converted") }
            let read = try arrays(["x_t", "input", "value"])
            _ = try checkShape(count: read[0].count)
            return .conversion(.init(timestep: tau, from: from, to: to, xt: read[0], input: read[1], value: read[2]))
        case "posterior":
            let tau = try timestep()
            let previous = try node.optional("prev_timestep").map { try $0.integer(in: -1...(tau - 1)) } ?? tau - 1
            let read = try arrays(["x0", "x_t"])
            var mean: [Double]?
            if let meanNode = node.optional("mean") {
                let values = try meanNode.numbers(maximumCount: maximumElements, allowNonFinite: true)
                guard values.count == read[0].count else { throw TraceError(meanNode.path, "has \(values.count) values; x0 has \(read[0].count)") }
                mean = values
            }
            var variance: Double?
            if let varianceNode = node.optional("variance") {
                switch varianceNode.value {
                case .string("nan"): variance = .nan
                case .string("inf"): variance = .infinity
                case .string("-inf"): variance = -.infinity
                default: variance = try varianceNode.number(in: -1e300...1e300)
                }
            }
            guard mean != nil || variance != nil else { throw TraceError(node.path, "a posterior record needs \"mean\", \"variance\" or both") }
            _ = try checkShape(count: read[0].count)
            return .posterior(.init(timestep: tau, previous: previous, x0: read[0], xt: read[1], mean: mean, variance: variance))
        case "snr":
            let (timesteps, values) = try timestepsAndValues()
            return .snr(timesteps: timesteps, values: values)
        case "loss_weight":
            let weighting = try node.required("weighting").choice(FormulaRecord.LossWeight.Weighting.self)
            let prediction = try node.optional("prediction_type").map { try $0.choice(SchedulerConfig.PredictionType.self) } ?? config.prediction
            var gamma: Double?
            if weighting == .minSNR {
                gamma = try node.required("gamma").number(in: 0...1e12, open: true)
            } else if node.optional("gamma") != nil {
                throw TraceError(node.path + ".gamma", "only min_snr has a γ")
            }
            let (timesteps, values) = try timestepsAndValues()
            if weighting == .vlb {
                guard [.fixedSmall, .fixedSmallLog, .fixedLarge, .fixedLargeLog].contains(config.variance) else {
                    throw TraceError("config.variance_type", "the bound's weight is read for fixed_small or fixed_large variances (got \(config.variance.rawValue))")
                }
                if [.fixedSmall, .fixedSmallLog].contains(config.variance), let at = timesteps.firstIndex(of: 0) {
                    throw TraceError(node.path + ".timesteps[\(at)]", "τ = 0 has no L_{t−1} weight with fixed_small: σ² = β̃₁ = 0 (L₀ is the decoder's term)")
                }
            }
            return .lossWeight(.init(weighting: weighting, gamma: gamma, prediction: prediction, timesteps: timesteps, values: values))
        case "cfg":
            let scale = try node.required("guidance_scale").number(in: -1e6...1e6)
            let convention = try node.optional("convention").map { try $0.choice(ClassifierFreeGuidance.Convention.self) } ?? .diffusers
            let rescale = try node.optional("guidance_rescale").map { try $0.number(in: 0...1) } ?? 0
            let read = try arrays(["uncond", "cond", "value"])
            let batch = try checkShape(count: read[0].count)
            return .guidance(.init(scale: scale, convention: convention, rescale: rescale, unconditional: read[0], conditional: read[1], value: read[2], batch: batch))
        default:
            return nil
        }
    }
}

/// One recorded quantity checked against the reference: where it first differs (or, when
/// it passes, its closest call), by how much, the allowed rounding there, and the known
/// mistakes that reproduce the recorded numbers.
public struct Finding: Sendable, Encodable {
    /// What was checked: "betas", "alphas_cumprod", "timesteps", "step.pred_original_sample", "step.prev_sample".
    public var quantity: String
    /// The record's position in the trace.
    public var record: Int
    /// τ (0-based, as recorded): the step's timestep, or the schedule index of the first difference.
    public var t: Int?
    /// The element of the array where the first difference is (or the closest call).
    public var index: Int?
    public var expected: Double?
    public var got: Double?
    /// |got − expected| / |expected| at that element.
    public var relativeError: Double?
    /// The relative difference rounding in the trace's dtype allows there.
    public var tolerance: Double?
    /// How many values were compared.
    public var checked: Int
    public var pass: Bool
    /// What the reference computed, with the choices it took from the configuration.
    public var reference: String
    public var diagnoses: [Diagnosis]

    enum CodingKeys: String, CodingKey {
        case quantity, record, t, index, expected, got, relativeError, tolerance, checked, pass, reference, diagnoses, nonFinite
    }

    /// JSON has no NaN or ∞: such a number is written as null, and `nonFinite` maps its key
    /// to "nan", "inf" or "-inf".
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(quantity, forKey: .quantity)
        try container.encode(record, forKey: .record)
        try container.encode(t, forKey: .t)
        try container.encode(index, forKey: .index)
        var nonFinite: [String: String] = [:]
        for (key, value) in [(CodingKeys.expected, expected), (.got, got), (.relativeError, relativeError), (.tolerance, tolerance)] {
            if let value, !value.isFinite {
                nonFinite[key.stringValue] = value.isNaN ? "nan" : value > 0 ? "inf" : "-inf"
                try container.encodeNil(forKey: key)
            } else {
                try container.encode(value, forKey: key)
            }
        }
        try container.encode(checked, forKey: .checked)
        try container.encode(pass, forKey: .pass)
        try container.encode(reference, forKey: .reference)
        try container.encode(diagnoses, forKey: .diagnoses)
        if !nonFinite.isEmpty { try container.encode(nonFinite, forKey: .nonFinite) }
    }
}

/// A known mistake whose numbers equal what the trace recorded.
public struct Diagnosis: Sendable, Encodable, Equatable {
    /// A stable name, e.g. "ddpm.variance-upside-down".
    public var id: String
    /// What the code does instead, with the formula and its source.
    public var explanation: String
}

/// All findings of one trace.
public struct VerificationReport: Sendable, Encodable {
    public var passed: Int
    public var failed: Int
    public var precision: String
    public var producer: [String: String]
    public var config: String
    /// Things worth knowing that are not failures (ignored keys, a spacing that never visits t = T).
    public var notes: [String]
    public var findings: [Finding]
}

import Foundation

/// A JSON value of a config file (booleans kept apart from numbers).
enum ConfigValue: Decodable, Equatable {
    case null, bool(Bool), number(Double), string(String), array([ConfigValue]), object([String: ConfigValue])

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let flag = try? container.decode(Bool.self) { self = .bool(flag) }
        else if let number = try? container.decode(Double.self) { self = .number(number) }
        else if let text = try? container.decode(String.self) { self = .string(text) }
        else if let list = try? container.decode([ConfigValue].self) { self = .array(list) }
        else { self = .object(try container.decode([String: ConfigValue].self)) }
    }

    /// JSON-like text for messages.
    var rendered: String {
        switch self {
        case .null: "null"
        case .bool(let flag): flag ? "true" : "false"
        case .number(let number): number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : String(number)
        case .string(let text): "\"\(text)\""
        case .array(let items): "[" + items.map(\.rendered).joined(separator: ", ") + "]"
        case .object(let entries): "{" + entries.keys.sorted().map { "\"\($0)\": \(entries[$0]!.rendered)" }.joined(separator: ", ") + "}"
        }
    }
}

/// The keys of a config.json, consumed one by one so that what is left over is reported.
struct ConfigReader {
    var values: [String: ConfigValue]
    let source: String

    /// The value of `key`, removed from those left to read; nil when absent or null.
    mutating func take(_ key: String) -> ConfigValue? {
        guard let value = values.removeValue(forKey: key), value != .null else { return nil }
        return value
    }

    mutating func ignore(_ key: String) { values.removeValue(forKey: key) }

    func unsupported(_ key: String, value: String, supported: [String]) -> DiffusersModelError {
        DiffusersModelError("\(source): \(key) \"\(value)\" is not supported; supported: \(supported.joined(separator: ", "))")
    }

    func wrongType(_ key: String, _ value: ConfigValue, _ expected: String) -> DiffusersModelError {
        DiffusersModelError("\(source): \(key) is \(value.rendered); expected \(expected)")
    }

    mutating func number(_ key: String, default fallback: Double) throws(DiffusersModelError) -> Double {
        guard let value = take(key) else { return fallback }
        guard case .number(let number) = value else { throw wrongType(key, value, "a number") }
        return number
    }

    mutating func integer(_ key: String, default fallback: Int?) throws(DiffusersModelError) -> Int {
        guard let value = take(key) else {
            guard let fallback else { throw DiffusersModelError("\(source): \(key) is missing") }
            return fallback
        }
        return try integer(value, key: key)
    }

    func integer(_ value: ConfigValue, key: String) throws(DiffusersModelError) -> Int {
        guard case .number(let number) = value, let integer = Int(exactly: number) else { throw wrongType(key, value, "an integer") }
        return integer
    }

    mutating func bool(_ key: String, default fallback: Bool) throws(DiffusersModelError) -> Bool {
        guard let value = take(key) else { return fallback }
        guard case .bool(let flag) = value else { throw wrongType(key, value, "true or false") }
        return flag
    }

    mutating func string(_ key: String, default fallback: String) throws(DiffusersModelError) -> String {
        try optionalString(key, default: fallback) ?? fallback
    }

    /// nil when the key is null (or absent with a nil default).
    mutating func optionalString(_ key: String, default fallback: String?) throws(DiffusersModelError) -> String? {
        guard values[key] != nil else { return fallback }
        guard let value = take(key) else { return nil }
        guard case .string(let text) = value else { throw wrongType(key, value, "a string") }
        return text
    }

    mutating func strings(_ key: String, default fallback: [String]) throws(DiffusersModelError) -> [String] {
        guard let value = take(key) else { return fallback }
        guard case .array(let items) = value else { throw wrongType(key, value, "a list of strings") }
        var texts: [String] = []
        for item in items {
            guard case .string(let text) = item else { throw wrongType(key, value, "a list of strings") }
            texts.append(text)
        }
        return texts
    }

    mutating func integers(_ key: String, default fallback: [Int]) throws(DiffusersModelError) -> [Int] {
        guard let value = take(key) else { return fallback }
        guard case .array(let items) = value else { throw wrongType(key, value, "a list of integers") }
        var result: [Int] = []
        for item in items { result.append(try integer(item, key: key)) }
        return result
    }

    /// One integer for every level, or a list with one per level.
    mutating func perLevel(_ key: String, default fallback: Int, levels: Int) throws(DiffusersModelError) -> [Int] {
        guard let value = take(key) else { return Array(repeating: fallback, count: levels) }
        guard case .array(let items) = value else { return Array(repeating: try integer(value, key: key), count: levels) }
        var result: [Int] = []
        for item in items {
            guard case .number = item else { throw wrongType(key, value, "an integer or a list of \(levels) integers (nested lists are not supported)") }
            result.append(try integer(item, key: key))
        }
        guard result.count == levels else { throw wrongType(key, value, "an integer or a list of \(levels) integers, one per level") }
        return result
    }

    /// The key is absent, or holds the one value this reader supports.
    mutating func expect(_ key: String, equals expected: ConfigValue, what: String) throws(DiffusersModelError) {
        guard let value = values.removeValue(forKey: key) else { return }
        guard value == expected else {
            throw DiffusersModelError("\(source): \(key) \(value.rendered) is not supported; supported: \(what)")
        }
    }

    /// Every key was read: an unknown one is an error naming it.
    func finish(model: String) throws(DiffusersModelError) {
        guard let key = values.keys.sorted().first else { return }
        throw DiffusersModelError("\(source): unknown config key \"\(key)\" (value \(values[key]!.rendered)); this reader knows the keys of diffusers' \(model)")
    }

    /// The `_class_name`, which must be `model`; the bookkeeping keys are dropped.
    mutating func expectClass(_ model: String) throws(DiffusersModelError) {
        let className = try string("_class_name", default: model)
        guard className == model else {
            throw DiffusersModelError("\(source): _class_name is \"\(className)\"; this reader builds \(model) here")
        }
        for key in ["_diffusers_version", "_name_or_path"] { ignore(key) }
    }

    /// Reads `data` as a JSON object.
    static func object(_ data: Data, source: String) throws(DiffusersModelError) -> ConfigReader {
        guard let document = try? JSONDecoder().decode(ConfigValue.self, from: data), case .object(let dictionary) = document else {
            throw DiffusersModelError("\(source) is not a JSON object")
        }
        return ConfigReader(values: dictionary, source: source)
    }
}

/// The model classes of diffusers this project builds, as a folder's config.json names them.
public enum DiffusersModelClass: String, Sendable, CaseIterable {
    case unet = "UNet2DConditionModel"
    case autoencoder = "AutoencoderKL"

    /// The `_class_name` of `folder/config.json`.
    public init(folder: URL) throws(DiffusersModelError) {
        let url = folder.appendingPathComponent("config.json")
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw DiffusersModelError("cannot read \(url.path): \(error.localizedDescription)") }
        var reader = try ConfigReader.object(data, source: url.path)
        guard let name = try reader.optionalString("_class_name", default: nil) else {
            throw DiffusersModelError("\(url.path) has no _class_name; supported: \(Self.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let kind = Self(rawValue: name) else {
            throw DiffusersModelError("\(url.path): _class_name \"\(name)\" is not supported; supported: \(Self.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self = kind
    }
}

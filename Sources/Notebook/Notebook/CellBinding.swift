import CheckCore
import Yams

/// Validates a check cell against the registry: the id must exist and the YAML body must
/// be a mapping of the check's parameters, each of the accepted kind and range.
public enum CellBinding {
    /// `samplesCap`, when given, refuses a `samples:` above it (the kernel's cap: a notebook
    /// cell is untrusted input), at that key's line.
    public static func bind(_ cell: CheckCell, registry: CheckRegistry, samplesCap: Int? = nil) throws -> (CheckDefinition, CheckParameters) {
        guard let definition = registry[cell.id] else {
            throw LessonError(
                file: cell.file, line: cell.line,
                "unknown check '\(cell.id)': \(registry.suggestion(for: cell.id))")
        }
        var parameters = definition.defaults
        let node: Node?
        do {
            node = try Yams.compose(yaml: cell.yaml)
        } catch let error as YamlError {
            throw LessonError(file: cell.file, line: cell.line + 1 + yamlLine(error), "cell parameters are not valid YAML: \(yamlReason(error))")
        } catch {
            throw LessonError(file: cell.file, line: cell.line, "cell parameters are not valid YAML: \(error)")
        }
        guard let node else { return (definition, parameters) }  // an empty cell: all defaults
        let accepted = definition.parameters.map(\.name)
        guard let mapping = node.mapping else {
            throw LessonError(
                file: cell.file, line: cell.line + 1,
                "cell parameters must be `name: value` lines (accepted for \(cell.id): \(describe(accepted)))")
        }
        for (keyNode, valueNode) in mapping {
            let line = cell.line + (keyNode.mark?.line ?? 1)
            guard let key = keyNode.string, let spec = definition.parameters.first(where: { $0.name == key }) else {
                throw LessonError(
                    file: cell.file, line: line,
                    "unknown parameter '\(keyNode.string ?? "?")' for \(cell.id) (accepted: \(describe(accepted)))")
            }
            guard let value = parse(valueNode, as: spec.kind) else {
                throw LessonError(
                    file: cell.file, line: line,
                    "bad value for '\(key)' in \(cell.id): expected \(spec.kind.accepted)")
            }
            if key == "samples", let samplesCap, case .integer(let n) = value, n > samplesCap {
                throw LessonError(
                    file: cell.file, line: line,
                    "samples: \(n) is above the kernel's cap of \(samplesCap); a notebook cell may draw at most that many "
                        + "(run larger studies with `lessons run` in a terminal)")
            }
            parameters.set(key, value)
        }
        return (definition, parameters)
    }

    static func describe(_ names: [String]) -> String {
        names.isEmpty ? "no parameters" : names.joined(separator: ", ")
    }

    /// Converts a YAML node to a value of `kind`, or nil when it is not one.
    static func parse(_ node: Node, as kind: ParameterKind) -> ParameterValue? {
        switch kind {
        case .integer(let range):
            guard let v = integer(node), range.contains(v) else { return nil }
            return .integer(v)
        case .real(let range):
            guard let v = real(node), range.contains(v) else { return nil }
            return .real(v)
        case .integers(let range):
            guard let items = node.sequence.map(Array.init), !items.isEmpty else { return nil }
            let values = items.compactMap(integer)
            guard values.count == items.count, values.allSatisfy(range.contains) else { return nil }
            return .integers(values)
        case .reals(let range):
            guard let items = node.sequence.map(Array.init), !items.isEmpty else { return nil }
            let values = items.compactMap(real)
            guard values.count == items.count, values.allSatisfy(range.contains) else { return nil }
            return .reals(values)
        case .choice(let names):
            guard let text = node.string, names.contains(text) else { return nil }
            return .text(text)
        }
    }

    static func integer(_ node: Node) -> Int? {
        guard let scalar = node.scalar else { return nil }
        return Int(scalar.string.replacingOccurrences(of: "_", with: ""))
    }

    static func real(_ node: Node) -> Double? {
        guard let scalar = node.scalar, let v = Double(scalar.string.replacingOccurrences(of: "_", with: "")), v.isFinite else { return nil }
        return v
    }

    /// The 0-based line where the construct that failed began (YAML's context mark): an
    /// unclosed "[" is found only at the end of the text, but the line to fix is the "[".
    static func yamlLine(_ error: YamlError) -> Int {
        switch error {
        case .scanner(let context, _, let mark, _), .parser(let context, _, let mark, _): return (context?.mark ?? mark).line - 1
        default: return 0
        }
    }

    static func yamlReason(_ error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _): return problem
        default: return "\(error)"
        }
    }
}

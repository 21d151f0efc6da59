import ArgumentParser
import CheckCore
import Foundation
import NotebookExport

extension LessonsCommand {
    /// `lessons checks`: every check a lesson cell may call, for people writing their own
    /// lessons: its id and title, and for one check its parameters (kind, accepted range,
    /// default) and the known mistakes its audit plants.
    struct Checks: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the checks a lesson cell can call; with an ID, its parameters (accepted values, defaults) and the mistakes it is proven to catch.",
            discussion: "A cell ```check ID``` takes YAML parameters, e.g. `t: [2, 10]`; those not given keep their defaults. Exit status 64 for an unknown ID.")

        @Argument(help: "A check id, e.g. gaussian.sum (default: list them all).", completion: Completions.checks)
        var id: String?

        @Flag(help: "Print JSON: every check (or the one named) with its parameters and mutations.")
        var json = false

        struct Parameter: Encodable {
            var name: String
            var accepted: String
            var yamlDefault: String
            var help: String
        }

        struct Entry: Encodable {
            var id: String
            var title: String
            var parameters: [Parameter]
            var mistakes: [[String: String]]
        }

        func run() throws {
            let checks = LessonLibrary.allChecks.sorted { $0.id < $1.id }
            var chosen = checks
            if let id {
                guard let check = checks.first(where: { $0.id == id }) else {
                    throw ValidationError("unknown check '\(id)': \(CheckRegistry(checks).suggestion(for: id))")
                }
                chosen = [check]
            }
            let entries = chosen.map { check in
                Entry(id: check.id, title: check.title,
                      parameters: check.parameters.map { Parameter(name: $0.name, accepted: $0.kind.accepted, yamlDefault: Self.yaml($0.defaultValue), help: $0.help) },
                      mistakes: check.mutations.map { ["id": $0.id, "mistake": $0.description] })
            }
            if json { return print(try JSONRenderer.encode(id == nil ? AnyEncodableList(entries) : AnyEncodableList([entries[0]]))) }
            if id == nil {
                for entry in entries { print("\(entry.id)  \(entry.title)") }
                print("\(entries.count) checks; `lessons checks ID` gives one's parameters and the mistakes it catches")
                return
            }
            let entry = entries[0]
            print("\(entry.id) — \(entry.title)\n")
            print(entry.parameters.isEmpty ? "No parameters." : "Parameters (YAML in the cell):")
            for p in entry.parameters { print("  \(p.name): \(p.help); \(p.accepted), default \(p.yamlDefault)") }
            print("\nMistakes it is proven to catch (`lessons audit`):")
            for m in entry.mistakes { print("  \(m["id"] ?? ""): \(m["mistake"] ?? "")") }
        }

        /// A default as it would be written in a cell's YAML.
        static func yaml(_ value: ParameterValue) -> String {
            switch value {
            case .integer(let v): return "\(v)"
            case .real(let v): return "\(v)"
            case .integers(let v): return "[" + v.map { "\($0)" }.joined(separator: ", ") + "]"
            case .reals(let v): return "[" + v.map { "\($0)" }.joined(separator: ", ") + "]"
            case .text(let v): return v
            }
        }
    }
}

/// A JSON array of entries under `"checks"`.
private struct AnyEncodableList: Encodable {
    var checks: [LessonsCommand.Checks.Entry]
    init(_ checks: [LessonsCommand.Checks.Entry]) { self.checks = checks }
}

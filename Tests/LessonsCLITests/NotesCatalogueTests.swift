import CheckCore
import Claims
import Foundation
import Testing

/// Lessons/notes.md against the claim checks: every claim has its cell, the catalogue table
/// at the top counts what the checks record, and `run notes --json` carries each claim's
/// verdict and sources.
@Suite("The notes' catalogue")
struct NotesCatalogueTests {
    static func lesson() throws -> String {
        try String(contentsOf: Invocation.repository.appendingPathComponent("Lessons/notes.md"), encoding: .utf8)
    }

    /// The ids of the lesson's check cells, in order.
    static func cellIDs(_ text: String) -> [String] {
        text.split(separator: "\n").compactMap { line in
            line.hasPrefix("```check ") ? String(line.dropFirst("```check ".count)).trimmingCharacters(in: .whitespaces) : nil
        }
    }

    @Test("every claim check has a cell in the lesson, and every cell is a claim")
    func cells() throws {
        let cells = Self.cellIDs(try Self.lesson())
        let claims = Set(ClaimChecks.all.map(\.id))
        #expect(claims.count >= 45)
        #expect(Set(cells) == claims, "missing: \(claims.subtracting(cells).sorted()); not claims: \(Set(cells).subtracting(claims).sorted())")
    }

    @Test("the catalogue table counts the claims by the file of their first source and by verdict")
    func catalogue() throws {
        let text = try Self.lesson()
        let section = try #require(text.range(of: "## The catalogue"))
        let rows = text[section.upperBound...].split(separator: "\n").drop { !$0.hasPrefix("| file |") }
            .prefix { $0.hasPrefix("|") }.dropFirst(2)
            .map { $0.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) } }
        let order: [ClaimVerdict] = [.true, .false, .qualified, .slip]
        var expected: [String: [Int]] = [:]
        for check in ClaimChecks.all {
            let file = String(try #require(check.sources.first?.split(separator: ":").first))
            let column = try #require(check.verdict.flatMap { order.firstIndex(of: $0) })
            for key in ["`\(file)`", "all"] {
                var counts = expected[key] ?? [0, 0, 0, 0, 0]
                counts[column] += 1
                counts[4] += 1
                expected[key] = counts
            }
        }
        #expect(rows.count == 6 && expected.count == 6, "\(rows)")
        for row in rows {
            #expect(row.count == 6, "\(row)")
            #expect(expected[row[0]] == row.dropFirst().map { Int($0) ?? -1 }, "\(row[0]): table \(row.dropFirst()), checks \(expected[row[0]] ?? [])")
        }
    }

    @Test("run notes --cell N --json carries the claim's verdict and its sources")
    func json() throws {
        let cells = Self.cellIDs(try Self.lesson())
        let index = try #require(cells.firstIndex(of: "notes.kl-weight"))
        let result = try Invocation(["run", "notes", "--cell", "\(index + 1)", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let checks = try #require(object["checks"] as? [[String: Any]])
        #expect(checks.count == 1)
        #expect(checks.first?["id"] as? String == "notes.kl-weight")
        #expect(checks.first?["verdict"] as? String == "slip")
        #expect(checks.first?["sources"] as? [String] == ["002_653f28275cd47f58.txt:698"])
    }
}

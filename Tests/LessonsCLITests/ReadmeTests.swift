import Foundation
import LessonsCLI
import Testing

/// The README at the repository's root, and the numbers it states.
enum Readme {
    static func text() throws -> String {
        try String(contentsOf: Invocation.repository.appendingPathComponent("README.md"), encoding: .utf8)
    }

    /// "752,872" → 752872.
    static func integer(_ digits: Substring) -> Int? { Int(digits.filter { $0 != "," }) }
}

/// Every figure the README states that the code or the files can tell: when one drifts, the
/// test names the sentence to fix. (The audit's counts are compared in `AuditTests`, which
/// computes the audit once.)
@Suite("The README's figures are today's")
struct ReadmeTests {
    @Test("the Models/ table lists every committed model with its size in bytes")
    func modelSizes() throws {
        let models = Invocation.repository.appendingPathComponent("Models")
        let files = try FileManager.default.contentsOfDirectory(atPath: models.path).filter { $0.hasSuffix(".safetensors") }.sorted()
        var stated: [String: Int] = [:]
        for match in try Readme.text().matches(of: #/\| `Models/([\w-]+\.safetensors)` \| ([\d,]+) \|/#) {
            stated[String(match.output.1)] = Readme.integer(match.output.2)
        }
        #expect(stated.keys.sorted() == files, "README.md's model table must list exactly the files in Models/")
        for file in files {
            let size = try #require(try FileManager.default.attributesOfItem(atPath: models.appendingPathComponent(file).path)[.size] as? Int)
            #expect(stated[file] == size, "README.md says Models/\(file) has \(stated[file].map(String.init) ?? "no size"); it has \(size) bytes")
        }
    }

    @Test("the lessons table has one row per lesson, and its counts of cells and claims are the lessons' own")
    func lessonsTable() throws {
        let library = LessonLibrary(directory: Invocation.repository.appendingPathComponent("Lessons"))
        let names = try library.names()
        let readme = try Readme.text()
        let rows = readme.split(separator: "\n").filter { $0.hasPrefix("| [`") }
        let listed = rows.compactMap { $0.firstMatch(of: #/^\| \[`([\w-]+)`\]\(docs/lessons/([\w-]+)\.md\)/#) }
        #expect(listed.map { String($0.output.1) }.sorted() == names, "README.md's lessons table must have one row per file in Lessons/")
        #expect(listed.allSatisfy { $0.output.1 == $0.output.2 }, "each lesson's row must link its own export")

        let words = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"]
        let count = try #require(readme.firstMatch(of: #/(\w+) lessons, in reading order/#), "README.md no longer says how many lessons there are")
        let stated = count.output.1.lowercased()
        #expect((words.firstIndex(of: stated).map { $0 + 1 } ?? Int(stated)) == names.count,
                "README.md says \(count.output.1) lessons; there are \(names.count)")

        for (row, match) in zip(rows, listed) {
            let lesson = try library.lesson(String(match.output.1))
            if let cells = row.firstMatch(of: #/(\d+) check cells/#) {
                #expect(Readme.integer(cells.output.1) == lesson.cells.count,
                        "README.md says \(lesson.name) has \(cells.output.1) check cells; it has \(lesson.cells.count)")
            }
            if let claims = row.firstMatch(of: #/(\d+) checkable claims/#) {
                let distinct = Set(lesson.cells.map(\.id)).count
                #expect(Readme.integer(claims.output.1) == distinct,
                        "README.md says \(lesson.name) has \(claims.output.1) claims; its cells check \(distinct)")
            }
        }
    }

    @Test("every relative link and image of the README and of docs/*.md points at a file that exists")
    func links() throws {
        let root = Invocation.repository.standardizedFileURL
        let docs = root.appendingPathComponent("docs")
        let pages = try ["README.md"] + FileManager.default.contentsOfDirectory(atPath: docs.path).filter { $0.hasSuffix(".md") }.map { "docs/\($0)" }
        for page in pages {
            let folder = root.appendingPathComponent(page).deletingLastPathComponent()
            for match in try String(contentsOf: root.appendingPathComponent(page), encoding: .utf8).matches(of: #/\]\(([^)#:\s]+)(#[^)]*)?\)/#) {
                let target = folder.appendingPathComponent(String(match.output.1)).standardizedFileURL
                // Links out of the checkout (../shared/DESIGN.md) are not the repository's to keep.
                guard target.path.hasPrefix(root.path + "/") else { continue }
                #expect(FileManager.default.fileExists(atPath: target.path), "\(page) links \(match.output.1), which does not exist")
            }
        }
    }
}

import Foundation

/// KaTeX for the HTML export, from Debian's `libjs-katex` (and its `fonts-katex`): the
/// script, the style sheet and the fonts, copied into a `katex/` folder beside the page so it
/// renders its math offline, with nothing fetched from a network.
struct KaTeXAssets {
    /// The folder name beside the page, as the page links it.
    static let folder = "katex"
    /// Where Debian installs KaTeX; `LESSONS_KATEX_DIR` names another folder with the same layout.
    static let debianFolder = "/usr/share/javascript/katex"

    let files: [(name: String, data: Data)]

    /// The files to copy (`katex.min.js`, `katex.min.css` and each `fonts/*.woff2`, the format
    /// the style sheet names first and every current browser reads), or why they are missing.
    static func load(environment: [String: String] = ProcessInfo.processInfo.environment) -> Result<KaTeXAssets, Missing> {
        let root = URL(fileURLWithPath: environment["LESSONS_KATEX_DIR"] ?? debianFolder)
        var files: [(String, Data)] = []
        for name in ["katex.min.js", "katex.min.css"] {
            guard let data = try? Data(contentsOf: root.appendingPathComponent(name)) else {
                return .failure(Missing(folder: root.path, file: name))
            }
            files.append((name, data))
        }
        let fonts = root.appendingPathComponent("fonts")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: fonts.path)) ?? []).filter { $0.hasSuffix(".woff2") }.sorted()
        guard !names.isEmpty else { return .failure(Missing(folder: root.path, file: "fonts/*.woff2")) }
        for name in names {
            guard let data = try? Data(contentsOf: fonts.appendingPathComponent(name)) else {
                return .failure(Missing(folder: root.path, file: "fonts/\(name)"))
            }
            files.append(("fonts/" + name, data))
        }
        return .success(KaTeXAssets(files: files))
    }

    struct Missing: Error, CustomStringConvertible {
        let folder: String
        let file: String

        var description: String {
            "KaTeX not found (no \(file) in \(folder)): the page shows its math as Unicode text; "
                + "install Debian's libjs-katex and fonts-katex (scripts/setup does), or set LESSONS_KATEX_DIR"
        }
    }
}

import Foundation
@testable import NotebookExport
import Testing

/// Scripts written TeX-style in plain text (`ScriptNotation`), what the Unicode rendering of
/// a formula cannot show (`LaTeXUnicode.problems`, `MathLint`), and wrapping that does not
/// count colour escapes.
@Suite("Notation in plain text, math problems, terminal width")
struct NotationTests {
    @Test("scripts after a symbol become scripts; names, identifiers and powers of numbers stay as written",
          arguments: [
              ("L_T + Σ L_{t−1} + L₀", "L_T + Σ Lₜ₋₁ + L₀", "L<sub>T</sub> + Σ L<sub>t−1</sub> + L₀"),
              ("E_q[log p_θ(x_{0:T})]", "E_q[log p_θ(x_(0:T))]", "E<sub>q</sub>[log p<sub>θ</sub>(x<sub>0:T</sub>)]"),
              ("σ_max and σ^{1/ρ}", "σₘₐₓ and σ^(1/ρ)", "σ<sub>max</sub> and σ<sup>1/ρ</sup>"),
              ("(Σ₁^{½})² and MMD²_b", "(Σ₁^½)² and MMD²_b", "(Σ₁<sup>½</sup>)² and MMD²<sub>b</sub>"),
              ("q(x_t|x_0)", "q(xₜ|x₀)", "q(x<sub>t</sub>|x<sub>0</sub>)"),
              ("q_sample, p_losses, v_prediction, scale_model_input, L_simple", "q_sample, p_losses, v_prediction, scale_model_input, L_simple",
               "q_sample, p_losses, v_prediction, scale_model_input, L_simple"),
              ("2^10 and x_ alone", "2^10 and x_ alone", "2^10 and x_ alone"),
          ])
    func scripts(text: String, terminal: String, html: String) {
        #expect(ScriptNotation.unicode(text) == terminal)
        #expect(ScriptNotation.html(text, escape: { $0 }) == html)
    }

    @Test("HTML scripts are escaped like the rest")
    func scriptsEscaped() {
        #expect(ScriptNotation.html("a<b x_{<}", escape: HTMLProse.escape) == "a&lt;b x<sub>&lt;</sub>")
    }

    @Test("what the Unicode rendering cannot show is named; a formula it can show has no problem",
          arguments: [
              ("\\frac{1}{", ["a { is never closed"]),
              ("\\begin{pmatrix} a & b \\end{pmatrix}", ["the pmatrix environment is not supported: its cells run together"]),
              ("\\foo x + \\foo y", ["\\foo is not supported: shown as “foo”"]),
              ("a } b", ["a } closes no {"]),
              ("\\sqrt{\\bar\\alpha_t} x_0 + \\epsilon_\\varnothing", []),
          ])
    func problems(latex: String, expected: [String]) {
        #expect(LaTeXUnicode.problems(latex) == expected)
    }

    @Test("MathLint names the file line of each problem, skipping front matter and fences")
    func lint() {
        let text = """
            ---
            title: t
            ---
            Fine $x_t$ and bad $\\frac{1}{$ here.
            ```check a.b
            x: $\\foo$
            ```
            $$
            \\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}
            $$
            """
        #expect(MathLint.warnings(text, file: "L.md") == [
            "L.md:4: warning: a { is never closed in $\\frac{1}{$",
            "L.md:8: warning: the pmatrix environment is not supported: its cells run together in $$ \\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix} $$",
        ])
    }

    @Test("every lesson's math renders without a problem", arguments: HTMLProseTests.lessonFiles)
    func lessonsClean(file: URL) throws {
        let warnings = MathLint.warnings(try String(contentsOf: file, encoding: .utf8), file: file.lastPathComponent)
        #expect(warnings.isEmpty, "\(warnings)")
    }

    @Test("colour escapes take no width: a coloured title wraps where the plain one does")
    func colourWidth() {
        let plain = TerminalRenderer(width: 80, color: false), coloured = TerminalRenderer(width: 80, color: true)
        let title = "✓ " + coloured.paint("check forward.closed-form", .bold) + " — t noising steps of the chain, simulated, against the closed form"
        let wrapped = coloured.wrap(title, indent: "  ", hanging: "      ")
        let stripped = wrapped.replacingOccurrences(of: "\u{1B}[1m", with: "").replacingOccurrences(of: "\u{1B}[0m", with: "")
        #expect(stripped == plain.wrap("✓ check forward.closed-form — t noising steps of the chain, simulated, against the closed form", indent: "  ", hanging: "      "))
        #expect(stripped.split(separator: "\n").allSatisfy { $0.count <= 80 } && stripped.split(separator: "\n").first!.count > 70)
    }

    @Test("a long display formula wraps at its spaces, continuation lines indented deeper")
    func displayWrap() {
        let text = TerminalRenderer(width: 40).renderProse("$$a + b + c + d + e + f + g + h + i + j + k + l + m + n$$")
        let lines = text.split(separator: "\n")
        #expect(lines.count == 2 && lines.allSatisfy { $0.count <= 40 } && lines[0].hasPrefix("    a") && lines[1].hasPrefix("        "), "\(lines)")
    }

    @Test("lessons list wraps each summary under itself, scripts in Unicode")
    func list() {
        let text = TerminalRenderer(width: 40).lessonList([(name: "elbo", summary: "L_T + Σ L_{t-1} + L_0, KL as a weighted noise error, and more words here")])
        let lines = text.split(separator: "\n")
        #expect(lines.count == 3 && lines.allSatisfy { $0.count <= 40 } && lines[0].hasPrefix("elbo  L_T + Σ Lₜ₋₁ + L₀"), "\(lines)")
        #expect(lines.dropFirst().allSatisfy { $0.hasPrefix("      ") && !$0.hasPrefix("       ") }, "\(lines)")
    }
}

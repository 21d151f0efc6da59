import CheckCore
import Notebook
import NotebookExport
import Testing

/// Checks `actual` against `expected` scalar by scalar, so that, for example, a precomposed
/// `ᾱ` (U+1FB1) and `α` + U+0304 are not treated as the same output.
private func expectScalars(_ actual: String, _ expected: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual == expected, sourceLocation: sourceLocation)
    #expect(Array(actual.unicodeScalars) == Array(expected.unicodeScalars), sourceLocation: sourceLocation)
}

@Suite("LaTeXUnicode.render")
struct LaTeXUnicodeRenderTests {
    @Test("Diffusion formulas", arguments: [
        (#"q(x_t \mid x_0) = \mathcal{N}(\sqrt{\bar\alpha_t}\, x_0, (1-\bar\alpha_t) I)"#,
         "q(xₜ | x₀) = 𝒩(√\u{1FB1}ₜ x₀, (1−\u{1FB1}ₜ) I)"),
        (#"\tilde\beta_t = \frac{1-\bar\alpha_{t-1}}{1-\bar\alpha_t}\beta_t"#,
         "β\u{303}ₜ = (1−\u{1FB1}ₜ₋₁)/(1−\u{1FB1}ₜ) βₜ"),
        (#"\sigma^2"#, "σ²"),
        (#"x_{1:T}"#, "x_(1:T)"),
        (#"\tilde{\mu}_t(x_t, x_0)"#, "μ\u{303}ₜ(xₜ, x₀)"),
        (#"\epsilon_\theta(x_t, t)"#, "ε_θ(xₜ, t)"),
        (#"\mathbb{E}_{t, x_0, \epsilon}\left[\|\epsilon - \epsilon_\theta\|^2\right]"#, "𝔼_(t, x₀, ε)[‖ε − ε_θ‖²]"),
        (#"D_{\mathrm{KL}}(q \,\|\, p)"#, "D_(KL)(q ‖ p)"),
        (#"\frac{1}{\sqrt{\alpha_t}}\left(x_t - \frac{\beta_t}{\sqrt{1-\bar\alpha_t}}\epsilon_\theta\right)"#,
         "1/√αₜ (xₜ − βₜ/√(1−\u{1FB1}ₜ) ε_θ)"),
        (#"\sum_{t=1}^T L_t"#, "Σₜ₌₁ᵀ Lₜ"),
    ])
    func formulas(input: String, expected: String) {
        expectScalars(LaTeXUnicode.render(input), expected)
    }

    @Test("Greek letters", arguments: [
        (#"\alpha \beta \gamma \delta \epsilon \varepsilon \theta \lambda \mu \pi \sigma \omega"#, "αβγδεεθλμπσω"),
        (#"\Sigma \Phi \Delta \Gamma \Omega"#, "ΣΦΔΓΩ"),
    ])
    func greek(input: String, expected: String) {
        expectScalars(LaTeXUnicode.render(input), expected)
    }

    @Test("Accents", arguments: [
        (#"\bar{\alpha}"#, "\u{1FB1}"),
        (#"\bar\alpha"#, "\u{1FB1}"),
        (#"\bar{x}"#, "x\u{304}"),
        (#"\bar\beta_t"#, "β\u{304}ₜ"),
        (#"\tilde{\beta}"#, "β\u{303}"),
        (#"\tilde{\mu}"#, "μ\u{303}"),
        (#"\hat{x}"#, "x\u{302}"),
        (#"\hat x_0"#, "x\u{302}₀"),
    ])
    func accents(input: String, expected: String) {
        expectScalars(LaTeXUnicode.render(input), expected)
    }

    @Test("Roots and fractions", arguments: [
        (#"\sqrt{x}"#, "√x"),
        (#"\sqrt x"#, "√x"),
        (#"\sqrt{\bar\alpha_t}"#, "√\u{1FB1}ₜ"),
        (#"\sqrt{a+b}"#, "√(a+b)"),
        (#"\sqrt{2\pi}"#, "√(2π)"),
        (#"\sqrt[3]{x}"#, "∛x"),
        (#"\frac{a}{b}"#, "a/b"),
        (#"\frac12"#, "1/2"),
        (#"\frac{a+b}{c}"#, "(a+b)/c"),
        (#"\frac{1-\bar\alpha_{t-1}}{1-\bar\alpha_t}"#, "(1−\u{1FB1}ₜ₋₁)/(1−\u{1FB1}ₜ)"),
        (#"\frac{\partial L}{\partial x}"#, "∂L/∂x"),
        (#"\frac{1}{2}x"#, "1/2 x"),
        (#"\frac{1}{2}(a+b)"#, "1/2 (a+b)"),
        (#"(\frac{a}{b})"#, "(a/b)"),
        (#"\beta\frac{a}{b}"#, "β a/b"),
        (#"\frac{a}{b} + c"#, "a/b + c"),
    ])
    func rootsAndFractions(input: String, expected: String) {
        expectScalars(LaTeXUnicode.render(input), expected)
    }

    @Test("Fraction denominators of more than one atom are parenthesized", arguments: [
        (#"\frac{(x-\mu)^2}{2\sigma^2}"#, "(x−μ)²/(2σ²)"),
        (#"\frac{1-\bar\alpha_t}{\beta_t(1-\bar\alpha_{t-1})}"#, "(1−\u{1FB1}ₜ)/(βₜ(1−\u{1FB1}ₜ₋₁))"),
        (#"\frac{\kappa_3}{6\sqrt{n}}"#, "κ₃/(6√n)"), (#"\frac{1}{2\sigma_t^2}"#, "1/(2σₜ²)"),
        (#"\frac{1}{p(x)}"#, "1/(p(x))"), (#"\frac{1}{-x}"#, "1/(−x)"), (#"\frac{1}{\alpha\beta}"#, "1/(αβ)"),
        (#"\frac{x}{\sqrt{\bar\alpha_t}}"#, "x/√\u{1FB1}ₜ"), (#"\frac{\beta_t}{\sqrt{1-\bar\alpha_t}}"#, "βₜ/√(1−\u{1FB1}ₜ)"),
        (#"\frac{1}{\sqrt{2\pi}}"#, "1/√(2π)"), (#"\frac{1}{(a+b)^2}"#, "1/(a+b)²"), (#"\frac{1}{|x|}"#, "1/|x|"),
        (#"\frac{1}{\epsilon_\theta}"#, "1/ε_θ"), (#"\frac{1}{x_{1:T}}"#, "1/x_(1:T)"), (#"\frac{1}{10}"#, "1/10"),
        (#"\frac{dy}{dx}"#, "dy/dx"), (#"\frac{\partial y}{\partial x^2}"#, "∂y/∂x²"), (#"\frac{1}{\infty}"#, "1/∞"),
        (#"\frac{2\sigma}{3}"#, "2σ/3"), (#"\frac{\sigma\sqrt{2}}{2}"#, "σ√2/2"),
        (#"\sqrt{(a+b)}"#, "√(a+b)"), (#"\sqrt{\alpha\beta}"#, "√(αβ)"), (#"\sqrt{\sqrt{x}}"#, "√√x"),
    ])
    func fractionDenominators(input: String, expected: String) {
        expectScalars(LaTeXUnicode.render(input), expected)
    }

    @Test("Spaces after command words", arguments: [
        (#"\sigma u"#, "σu"), (#"2\pi e"#, "2πe"), (#"\alpha x"#, "αx"), (#"\partial x"#, "∂x"), (#"\alpha _t"#, "αₜ"),
        (#"\alpha (x)"#, "α(x)"), (#"\epsilon - x"#, "ε − x"), (#"\sigma = 1"#, "σ = 1"), (#"\alpha\, x"#, "α x"),
        (#"\epsilon_\theta x"#, "ε_θ x"), (#"\int_0^\infty f(x) dx"#, "∫₀^∞ f(x) dx"), (#"x^q y"#, "x^q y"),
    ])
    func commandWordSpaces(input: String, expected: String) {
        expectScalars(LaTeXUnicode.render(input), expected)
    }

    @Test("Relations and binary operators are set off by single spaces", arguments: [
        (#"a\mid b"#, "a | b"), (#"x\sim p"#, "x ~ p"), (#"a\le b\leq c"#, "a ≤ b ≤ c"), (#"a\ge b\geq c"#, "a ≥ b ≥ c"),
        (#"a\ne b"#, "a ≠ b"), (#"a\approx b\equiv c\propto d"#, "a ≈ b ≡ c ∝ d"), (#"x\in A"#, "x ∈ A"),
        (#"a\to b\rightarrow c\Rightarrow d"#, "a → b → c ⇒ d"), (#"a\times b\cdot c"#, "a × b · c"), (#"a\pm b"#, "a ± b"),
        (#"a \le\, b"#, "a ≤ b"), (#"(\pm 1)"#, "(± 1)"), (#"[a\to b]"#, "[a → b]"), (#"\le b"#, "≤ b"), (#"a \sim"#, "a ~"),
        (#"\sum_{i \in S} x_i"#, "Σ_(i ∈ S) xᵢ"),
    ])
    func relations(input: String, expected: String) {
        expectScalars(LaTeXUnicode.render(input), expected)
    }

    @Test("Operator names, large operators and dots are followed by one space", arguments: [
        (#"\log x"#, "log x"), (#"\log(x)"#, "log(x)"), (#"\log (x)"#, "log(x)"), (#"\log_2 x"#, "log₂ x"), (#"\log^2 x"#, "log² x"),
        (#"\exp\left(x\right)"#, "exp(x)"), (#"\sin\theta"#, "sin θ"), (#"\det A"#, "det A"), (#"\max, \min"#, "max, min"),
        (#"\log"#, "log"), (#"(\log)"#, "(log)"), (#"\log\log n"#, "log log n"), (#"\operatorname{Var} X"#, "Var X"),
        (#"\operatorname{Var}(X)"#, "Var(X)"), (#"\operatorname*{arg\,max}_x f"#, "arg maxₓ f"),
        (#"\int e^x dx"#, "∫ eˣ dx"), (#"\int\int f"#, "∫ ∫ f"), (#"\sum_i x_i"#, "Σᵢ xᵢ"),
        (#"\alpha_1\alpha_2 \cdots \alpha_t"#, "α₁α₂ … αₜ"), (#"x_1 + \cdots + x_n"#, "x₁ + … + xₙ"),
    ])
    func operatorNames(input: String, expected: String) {
        expectScalars(LaTeXUnicode.render(input), expected)
    }

    @Test("Quads are fixed spaces", arguments: [
        (#"x, \quad y"#, "x,\u{2003}y"), (#"a\qquad b"#, "a\u{2003}\u{2003}b"), (#"a \quad\quad b"#, "a\u{2003}\u{2003}b"),
        (#"a \quad \, b"#, "a\u{2003}b"), (#"(\quad x)"#, "(\u{2003}x)"), (#"\quad"#, "\u{2003}"),
    ])
    func quads(input: String, expected: String) {
        expectScalars(LaTeXUnicode.render(input), expected)
    }

    @Test("Subscripts and superscripts", arguments: [
        ("x_t", "xₜ"), ("x_0", "x₀"), ("x_{t-1}", "xₜ₋₁"), ("x_{t - 1}", "xₜ₋₁"), ("x_{1:T}", "x_(1:T)"),
        ("x_{aehijklmnoprstuvx}", "xₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ"), ("x_{(n+1)=2}", "x₍ₙ₊₁₎₌₂"),
        ("x_b", "x_b"), ("x_{bc}", "x_(bc)"), (#"p_\theta"#, "p_θ"),
        ("x^2", "x²"), ("x^{-1}", "x⁻¹"), ("x^{T}", "xᵀ"), (#"x^\top"#, "xᵀ"), ("x^{n+1}", "xⁿ⁺¹"),
        ("x^q", "x^q"), ("x^{q+1}", "x^(q+1)"), (#"x^{\prime}"#, "x′"), ("x_t^2", "xₜ²"),
    ])
    func scripts(input: String, expected: String) {
        expectScalars(LaTeXUnicode.render(input), expected)
    }

    @Test("Fonts and text", arguments: [
        (#"\mathcal{N}"#, "𝒩"), (#"\mathcal{L}"#, "ℒ"), (#"\mathbb{E}"#, "𝔼"), (#"\mathbb{R}^d"#, "ℝᵈ"),
        (#"\mathbf{x}"#, "x"), (#"\boldsymbol{\epsilon}"#, "ε"), (#"\mathrm{d}x"#, "dx"),
        (#"x \text{ if } y"#, "x if y"), (#"\text{non-negative}"#, "non-negative"),
        (#"\operatorname{KL}(q\|p)"#, "KL(q‖p)"), (#"\operatorname*{arg\,max}"#, "arg max"),
    ])
    func fonts(input: String, expected: String) {
        expectScalars(LaTeXUnicode.render(input), expected)
    }

    @Test("Named functions and operators", arguments: [
        (#"\log p(x)"#, "log p(x)"), (#"\exp(-x)"#, "exp(−x)"), (#"\min_x f"#, "minₓ f"), (#"\max(a, b)"#, "max(a, b)"),
        (#"\ln x"#, "ln x"), (#"\sin x \cos y"#, "sin x cos y"),
        (#"a \cdot b"#, "a · b"), (#"a \times b"#, "a × b"), (#"x \sim p"#, "x ~ p"), (#"a \approx b"#, "a ≈ b"),
        (#"a \le b \leq c"#, "a ≤ b ≤ c"), (#"a \ge b \geq c"#, "a ≥ b ≥ c"), (#"a \ne b \neq c"#, "a ≠ b ≠ c"),
        (#"a \to b \rightarrow c \Rightarrow d"#, "a → b → c ⇒ d"), (#"x \in \mathbb{R}"#, "x ∈ ℝ"),
        (#"\pm \infty"#, "± ∞"), (#"\sum \prod \int"#, "Σ ∏ ∫"), (#"\nabla_x \log p"#, "∇ₓ log p"),
        (#"p(a \mid b)"#, "p(a | b)"), (#"\|x\| \Vert{y}\Vert \lVert z \rVert"#, "‖x‖ ‖y‖‖z ‖"),
        (#"a \propto b \equiv c"#, "a ∝ b ≡ c"), (#"1, \ldots, n \dots \cdots"#, "1, …, n … …"),
        (#"a-b"#, "a−b"), (#"\{ x \}"#, "{ x }"), (#"\unknown{x}"#, "unknownx"),
    ])
    func operators(input: String, expected: String) {
        expectScalars(LaTeXUnicode.render(input), expected)
    }

    @Test("Spacing, delimiters and grouping", arguments: [
        (#"a \quad b \qquad c"#, "a\u{2003}b\u{2003}\u{2003}c"), (#"a\,b\;c\!d"#, "a b cd"), ("a    b", "a b"), ("  a  ", "a"),
        (#"\left( x \right)"#, "(x)"), (#"\big( x \Big)"#, "(x)"), (#"\left\{ x \right."#, "{ x"),
        ("{a}{b}", "ab"), ("{{x}}_t", "xₜ"), ("a}b", "ab"), ("", ""),
    ])
    func spacing(input: String, expected: String) {
        expectScalars(LaTeXUnicode.render(input), expected)
    }

    @Test("Environments, nesting and malformed input", arguments: [
        (#"\begin{aligned} a &= b \\ c &= d \end{aligned}"#, "a = b c = d"),
        (#"e^{-\frac{x^2}{2}}"#, "e^(−x²/2)"), (#"\sqrt[n]{x}"#, "ⁿ√x"), (#"\text{a - b}"#, "a - b"),
        (#"\mathbb{1}"#, "𝟙"), (#"\bar{\alpha_t}"#, "\u{1FB1}ₜ"), ("x'", "x′"),
        (#"\"#, ""), ("x_", "x_"), ("^", "^"), (#"\frac{a}"#, "a/"), (#"\sqrt["#, "√"), ("}}{", ""), (#"\bar"#, ""),
    ])
    func edgeCases(input: String, expected: String) {
        expectScalars(LaTeXUnicode.render(input), expected)
    }
}

@Suite("LaTeXUnicode.renderProse")
struct LaTeXUnicodeProseTests {
    @Test(arguments: [
        (#"The noise $\epsilon_\theta(x_t, t)$ is predicted."#, "The noise ε_θ(xₜ, t) is predicted."),
        (#"Display: $$\sigma^2 = \beta_t$$ done"#, "Display: σ² = βₜ done"),
        (#"Two $a$ and $b$."#, "Two a and b."),
        (#"Costs \$5 here"#, "Costs $5 here"),
        (#"Prices $5 and $10"#, "Prices $5 and $10"),
        (#"Code `$x_t$` stays, $x_t$ renders"#, "Code $x_t$ stays, xₜ renders"),
        (#"Fence ``a`$b$`` and $c$"#, "Fence a`$b$ and c"),
        (#"Lone ` tick $x_0$"#, "Lone ` tick x₀"),
        ("Run `lessons run` to start", "Run lessons run to start"), ("`lessons run`", "lessons run"),
        ("``a ` b`` and `c`", "a ` b and c"), ("Empty `` here", "Empty `` here"),
        (#"Unclosed $x_t"#, "Unclosed $x_t"),
        (#"Escaped $a \$ b$"#, "Escaped a $ b"),
        ("No math at all", "No math at all"),
        ("$", "$"), ("$$", "$$"), ("`", "`"), ("$$x$", "$$x$"), ("$x$5", "$x$5"), (#"end\"#, #"end\"#),
    ])
    func prose(input: String, expected: String) {
        expectScalars(LaTeXUnicode.renderProse(input), expected)
    }
}

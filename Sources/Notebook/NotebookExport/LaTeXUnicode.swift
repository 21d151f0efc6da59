import CheckCore
import Notebook

/// Turns LaTeX math into readable Unicode text for a terminal (and for `HTMLProse`'s pages).
///
/// `render` handles a single formula (the text between `$…$` or `$$…$$`);
/// `renderProse` finds such formulas inside a Markdown line and renders them in place.
/// The conversion is best-effort: anything it does not understand is kept as plain text.
public enum LaTeXUnicode {
    /// Renders the content of one math span, e.g. `\sqrt{\bar\alpha_t}` → `√ᾱₜ`.
    public static func render(_ latex: String) -> String {
        rendering(latex).text
    }

    /// What `render` could not render faithfully, one message each: an unknown command (shown
    /// as its bare name), an environment (its cells run together), an unbalanced brace. Empty
    /// when the Unicode reads as the formula.
    public static func problems(_ latex: String) -> [String] {
        rendering(latex).problems
    }

    static func rendering(_ latex: String) -> (text: String, problems: [String]) {
        var renderer = Renderer(tokens: tokenize(latex))
        var out = ""
        while renderer.pos < renderer.tokens.count {
            out += renderer.sequence(text: false)
            // At the top level `sequence` stops only at a closing brace that no opening one matched.
            if renderer.strayClose {
                renderer.problems.append("a } closes no {")
                renderer.strayClose = false
            }
        }
        var seen: Set<String> = []
        return (tidy(out), renderer.problems.filter { seen.insert($0).inserted })
    }

    /// Replaces every `$…$` and `$$…$$` span in a Markdown line with its rendering.
    ///
    /// `\$` becomes a literal `$`. Code in backticks is copied without its backticks and
    /// without rendering (`` `$x$` `` → `$x$`); an unmatched backtick is kept as it is.
    /// A single `$` only opens a span when followed by a non-space character, and only
    /// closes one when preceded by a non-space character and not followed by a digit,
    /// so prices such as "$5 and $10" stay as they are.
    public static func renderProse(_ markdownLine: String) -> String {
        proseSegments(markdownLine).map { segment in
            switch segment {
            case .text(let text), .code(let text): text
            case .math(let latex, _): render(latex)
            }
        }.joined()
    }

    /// A piece of a Markdown line: literal text, the content of a code span, or a formula.
    enum ProseSegment: Equatable, Sendable {
        /// Text as it reads, with `\$` already turned into `$`.
        case text(String)
        /// The content of a code span, without its backticks.
        case code(String)
        /// The LaTeX between `$…$` (`display` false) or `$$…$$` (`display` true).
        case math(String, display: Bool)
    }

    /// Splits a Markdown line into text, code spans and formulas, by the rules of
    /// `renderProse` (which joins the pieces, rendering the formulas). Adjacent text is merged.
    static func proseSegments(_ markdownLine: String) -> [ProseSegment] {
        var segments: [ProseSegment] = []
        var text = ""
        func emit(_ segment: ProseSegment) {
            if !text.isEmpty { segments.append(.text(text)) }
            text = ""
            segments.append(segment)
        }
        var rest = markdownLine[...]
        while let c = rest.first {
            if c == "`" {
                let fence = String(rest.prefix { $0 == "`" })
                let body = rest.dropFirst(fence.count)
                if let close = find(fence, in: body) {
                    emit(.code(String(body[..<close])))
                    rest = body[close...].dropFirst(fence.count)
                } else {
                    text += fence
                    rest = body
                }
            } else if rest.hasPrefix("\\$") {
                text += "$"
                rest = rest.dropFirst(2)
            } else if c == "$" {
                let delimiter = rest.hasPrefix("$$") ? "$$" : "$"
                let body = rest.dropFirst(delimiter.count)
                if let close = closing(delimiter, in: body) {
                    emit(.math(String(body[..<close]), display: delimiter == "$$"))
                    rest = body[close...].dropFirst(delimiter.count)
                } else {
                    text += delimiter
                    rest = body
                }
            } else {
                text.append(c)
                rest = rest.dropFirst()
            }
        }
        if !text.isEmpty { segments.append(.text(text)) }
        return segments
    }

    // MARK: - Tokens

    private enum Token: Equatable {
        case command(String)  // `\name` or `\x` for a single non-letter x, without the backslash
        case char(Character)
        case open, close, sub, sup  // `{` `}` `_` `^`
    }

    /// Splits LaTeX into commands, braces, script markers and single characters.
    /// As in LaTeX, the spaces after a control word are dropped (`\sigma u` → `σu`), except
    /// before an operator character such as `-` or `=`, where the source spacing is kept
    /// (`\epsilon - x` → `ε − x`).
    private static func tokenize(_ s: String) -> [Token] {
        var tokens: [Token] = []
        var i = s.startIndex
        while i < s.endIndex {
            let c = s[i]
            i = s.index(after: i)
            switch c {
            case "\\":
                let letters = s[i...].prefix { $0.isASCII && $0.isLetter }
                if !letters.isEmpty {
                    tokens.append(.command(String(letters)))
                    let next = s[letters.endIndex...].firstIndex { !$0.isWhitespace } ?? s.endIndex
                    let keep = next < s.endIndex && !(s[next].isLetter || s[next].isNumber || "\\{}()[]_^".contains(s[next]))
                    i = keep ? letters.endIndex : next
                } else if i < s.endIndex {
                    tokens.append(.command(String(s[i])))
                    i = s.index(after: i)
                }
            case "{": tokens.append(.open)
            case "}": tokens.append(.close)
            case "_": tokens.append(.sub)
            case "^": tokens.append(.sup)
            default: tokens.append(.char(c))
            }
        }
        return tokens
    }

    // MARK: - Renderer

    /// A recursive renderer over the token list; `pos` is the next unread token.
    private struct Renderer {
        let tokens: [Token]
        var pos = 0
        var depth = 0
        var strayClose = false
        var problems: [String] = []

        func peek() -> Token? { pos < tokens.count ? tokens[pos] : nil }

        /// Renders atoms up to the end of the current group, consuming its closing brace.
        /// A fraction is separated by a space from an adjacent operand (`a/b x`, not `a/bx`), and a
        /// script without Unicode form from the operand after it (`ε_θ x`, `∫₀^∞ e`, but `ε_θ(x)`).
        mutating func sequence(text: Bool) -> String {
            var out = ""
            var afterFraction = false, afterScript = false
            while let token = peek(), token != .close {
                let fraction = if case .command(let name) = token { fractions.contains(name) } else { false }
                let script = token == .sub || token == .sup
                let piece = atom(text: text)
                if !script, let last = out.last, let first = piece.first, endsOperand(last), startsOperand(first),
                   fraction || afterFraction || afterScript && !"([".contains(first) {
                    out += " "
                }
                out += piece
                if !piece.isEmpty {
                    afterFraction = fraction
                    afterScript = script && (piece.hasPrefix("_") || piece.hasPrefix("^"))
                }
            }
            if peek() == .close {
                pos += 1
                strayClose = depth == 0
            } else if depth > 0 {
                problems.append("a { is never closed")
            }
            return out
        }

        /// Renders one token together with the arguments it takes.
        mutating func atom(text: Bool) -> String {
            guard let token = peek() else { return "" }
            pos += 1
            switch token {
            case .open:
                depth += 1
                defer { depth -= 1 }
                return sequence(text: text)
            case .close: return ""
            case .sub: return script(tidy(argument()), subscripts, marker: "_")
            case .sup: return script(tidy(argument()), superscripts, marker: "^")
            case .char(let c): return text ? String(c) : mathChars[c] ?? String(c)
            case .command(let name): return command(name, text: text)
            }
        }

        /// Renders the next argument: a braced group or a single token, skipping leading spaces.
        mutating func argument(text: Bool = false) -> String {
            skipSpaces()
            if peek() == nil || peek() == .close { return "" }
            return atom(text: text)
        }

        /// Renders an optional `[…]` argument, or returns "" when there is none.
        mutating func optionalArgument() -> String {
            skipSpaces()
            guard peek() == .char("[") else { return "" }
            pos += 1
            var out = ""
            while let token = peek(), token != .char("]"), token != .close { out += atom(text: false) }
            if peek() == .char("]") { pos += 1 }
            return tidy(out)
        }

        mutating func skipSpaces() {
            while case .char(let c) = peek(), c.isWhitespace { pos += 1 }
        }

        /// Renders a command and consumes its arguments; unknown commands become their bare name.
        mutating func command(_ name: String, text: Bool) -> String {
            if let symbol = symbols[name] { return symbol }
            if let op = operators[name] { return op + spaceAfterOperator() }
            if let mark = accents[name] { return accented(tidy(argument()), mark) }
            if let font = fonts[name] { return String(tidy(argument()).map { font[$0] ?? $0 }) }
            switch name {
            case _ where fractions.contains(name):
                let numerator = tidy(argument()), denominator = tidy(argument())
                let wrapDenominator = !denominator.isEmpty && !isAtom(denominator)
                return parenthesized(numerator) + "/" + (wrapDenominator ? "(\(denominator))" : denominator)
            case "sqrt":
                let index = optionalArgument()
                let body = tidy(argument())
                let root = ["": "√", "3": "∛", "4": "∜"][index] ?? script(index, superscripts, marker: "^") + "√"
                return root + (body.isEmpty || isAtom(body) ? body : "(\(body))")
            case "text", "textrm", "textbf", "textit", "textsf", "texttt", "mbox":
                return argument(text: true)
            case "mathbf", "boldsymbol", "bm", "mathrm", "mathit", "mathsf", "mathtt", "mathop", "mathrel", "mathbin":
                return argument(text: text)
            case "operatorname":
                if peek() == .char("*") { pos += 1 }
                return argument(text: text) + spaceAfterOperator()
            case _ where sizes.contains(name):
                if peek() == .char(".") { pos += 1 }  // `\left.` is an invisible delimiter
                return ""
            case "begin", "end":
                let environment = argument(text: true)
                if name == "begin" { problems.append("the \(environment) environment is not supported: its cells run together") }
                return ""
            default:
                problems.append("\\\(name) is not supported: shown as “\(name)”")
                return name
            }
        }

        /// The space that follows an operator (`log p`, `∫ f`), or "" before `(`, a script,
        /// punctuation, a closing bracket or the end (`log(x)`, `minₓ`). Consumes source spaces.
        mutating func spaceAfterOperator() -> String {
            skipSpaces()
            let next = tokens[pos...].first { token in
                if case .command(let name) = token { !sizes.contains(name) } else { true }
            }
            switch next {
            case nil, .close, .sub, .sup: return ""
            case .char(let c): return "(),.;:]".contains(c) ? "" : " "
            default: return " "
            }
        }
    }

    // MARK: - Helpers

    /// Collapses whitespace runs into single spaces and drops them at both ends, just inside
    /// brackets (`( x )` → `(x)`) and next to the fixed-width space of `\quad`, which is kept.
    private static func tidy(_ s: String) -> String {
        var out = ""
        var space = false
        for c in s {
            if c.isWhitespace, c != quadSpace {
                space = true
                continue
            }
            if space, let last = out.last, !"([⟨⌊⌈\(quadSpace)".contains(last), !")]⟩⌋⌉\(quadSpace)".contains(c) {
                out += " "
            }
            space = false
            out.append(c)
        }
        return out
    }

    /// Maps every character through `table`, or falls back to `_x` / `_(…)` when one has no form.
    /// A sub- or superscript: in Unicode script glyphs when every character has one (`ₜ₋₁`),
    /// else the marker and the body, bracketed when longer than one character (`_T`, `_(0:T)`).
    static func script(_ body: String, isSubscript: Bool) -> String {
        isSubscript ? script(body, subscripts, marker: "_") : script(body, superscripts, marker: "^")
    }

    private static func script(_ body: String, _ table: [Character: Character], marker: String) -> String {
        let compact = body.filter { !$0.isWhitespace }
        let mapped = compact.compactMap { table[$0] }
        if !compact.isEmpty, mapped.count == compact.count { return String(mapped) }
        return marker + (body.count > 1 ? "(\(body))" : body)
    }

    /// Puts a combining mark on the first character of `body` (`ᾱ` is used precomposed).
    private static func accented(_ body: String, _ mark: Unicode.Scalar) -> String {
        guard let first = body.first else { return "" }
        let head = first == "α" && mark == "\u{304}" ? "\u{1FB1}" : String(first) + String(mark)
        return head + body.dropFirst()
    }

    /// True when `s` is one operand: a symbol, a word of ASCII letters, a number or a bracketed
    /// group, with any scripts, optionally under `√`, `∂` or `∇` (`ᾱₜ`, `(x−μ)²`, `ε_θ`, `√(1−ᾱₜ)`).
    /// `2σ²`, `6√n` and `βₜ(1−ᾱₜ)` are not: they are products of several operands.
    private static func isAtom(_ s: String) -> Bool {
        let body = s.drop { "√∛∜∂∇".contains($0) }
        guard let end = operandEnd(body) else { return false }
        var rest = body[end...]
        while let c = rest.first {
            let after = rest.dropFirst()
            if scriptGlyphs.contains(c) {
                rest = after
            } else if c == "_" || c == "^", let first = after.indices.first {  // `_θ`, `^(q+1)`
                rest = after[(groupEnd(after) ?? after.index(after: first))...]
            } else {
                return false
            }
        }
        return true
    }

    /// The end of the operand `s` starts with: a bracketed group, a number, a word of ASCII
    /// letters, or a single letter, digit or `∞`.
    private static func operandEnd(_ s: Substring) -> Substring.Index? {
        guard let first = s.first else { return nil }
        if let end = groupEnd(s) { return end }
        if first.isASCII, first.isLetter { return s.firstIndex { !($0.isASCII && $0.isLetter) } ?? s.endIndex }
        if first.isASCII, first.isNumber { return s.firstIndex { !($0.isASCII && ($0.isNumber || $0 == ".")) } ?? s.endIndex }
        return first.isLetter || first.isNumber || first == "∞" ? s.index(after: s.startIndex) : nil
    }

    /// The end of the bracketed group `s` starts with, such as `(…)` or `|…|`, if it starts with one.
    private static func groupEnd(_ s: Substring) -> Substring.Index? {
        let pairs: [Character: Character] = ["(": ")", "[": "]", "{": "}", "⟨": "⟩", "|": "|", "‖": "‖"]
        guard let open = s.first, let close = pairs[open] else { return nil }
        var depth = 0
        for i in s.indices {
            if s[i] == close, i > s.startIndex {
                depth -= 1
                if depth == 0 { return s.index(after: i) }
            } else if s[i] == open {
                depth += 1
            }
        }
        return nil
    }

    /// Wraps `s` in parentheses if it has an operator or space outside any brackets.
    private static func parenthesized(_ s: String) -> String {
        var depth = 0
        for c in s {
            if "([{⟨".contains(c) { depth += 1 }
            else if ")]}⟩".contains(c) { depth -= 1 }
            else if depth == 0, c.isWhitespace || "+−-=·×/±∓<>≤≥≈~≠∈→⇒|,:;".contains(c) { return "(\(s))" }
        }
        return s
    }

    /// Whether a fraction should be set apart by a space from a neighbour ending / starting with `c`.
    private static func endsOperand(_ c: Character) -> Bool { c.isLetter || c.isNumber || ")]′∞".contains(c) }
    private static func startsOperand(_ c: Character) -> Bool { c.isLetter || c.isNumber || "([√∂∇∫∏∞".contains(c) }

    /// The first position where `needle` occurs in `s`.
    private static func find(_ needle: String, in s: Substring) -> Substring.Index? {
        s.indices.first { s[$0...].hasPrefix(needle) }
    }

    /// Finds the delimiter closing a math span, skipping escaped characters.
    private static func closing(_ delimiter: String, in body: Substring) -> Substring.Index? {
        if delimiter == "$", body.first?.isWhitespace ?? true { return nil }
        var i = body.startIndex
        while i < body.endIndex {
            if body[i] == "\\" {
                i = body.index(i, offsetBy: 2, limitedBy: body.endIndex) ?? body.endIndex
                continue
            }
            if body[i...].hasPrefix(delimiter) {
                if delimiter == "$$" { return i }
                let next = body.index(after: i)
                if i > body.startIndex, !body[body.index(before: i)].isWhitespace,
                   next == body.endIndex || !body[next].isNumber { return i }
            }
            i = body.index(after: i)
        }
        return nil
    }

    /// Maps `A`–`Z` to consecutive code points from `start`, except where `holes` says otherwise.
    private static func alphabet(_ start: UInt32, holes: [Character: Character]) -> [Character: Character] {
        var map = holes
        for v in UInt32(65)...90 {
            if let letter = Unicode.Scalar(v), let styled = Unicode.Scalar(start + v - 65), map[Character(letter)] == nil {
                map[Character(letter)] = Character(styled)
            }
        }
        return map
    }

    // MARK: - Tables

    private static let fractions: Set = ["frac", "dfrac", "tfrac", "cfrac"]
    /// Operator names, large operators and dots, which are followed by a space before an
    /// operand (`log p`, `∫ f`, `… xₙ`), as TeX puts a thin space there.
    private static let operators = ["sum": "Σ", "prod": "∏", "int": "∫", "oint": "∮", "ldots": "…", "dots": "…", "cdots": "…"]
        .merging(["log", "ln", "exp", "min", "max", "sin", "cos", "tan", "det", "sup", "inf", "lim", "arg"].map { ($0, $0) }) { a, _ in a }
    /// Delimiter size commands; they render as nothing.
    private static let sizes: Set = [
        "left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "biggl", "biggr", "Biggl", "Biggr",
    ]
    /// The space of `\quad` (`\qquad` is two of them); unlike other spaces it is never collapsed.
    private static let quadSpace: Character = "\u{2003}"

    private static let mathChars: [Character: String] = ["-": "−", "~": " ", "&": "", "'": "′"]

    private static let accents: [String: Unicode.Scalar] = [
        "bar": "\u{304}", "overline": "\u{304}", "tilde": "\u{303}", "widetilde": "\u{303}",
        "hat": "\u{302}", "widehat": "\u{302}", "dot": "\u{307}", "ddot": "\u{308}", "vec": "\u{20D7}",
    ]

    private static let calligraphic = alphabet(0x1D49C, holes: [
        "B": "ℬ", "E": "ℰ", "F": "ℱ", "H": "ℋ", "I": "ℐ", "L": "ℒ", "M": "ℳ", "R": "ℛ",
    ])
    private static let blackboard = alphabet(0x1D538, holes: [
        "C": "ℂ", "H": "ℍ", "N": "ℕ", "P": "ℙ", "Q": "ℚ", "R": "ℝ", "Z": "ℤ", "1": "𝟙",
    ])
    private static let fonts = ["mathcal": calligraphic, "mathscr": calligraphic, "mathbb": blackboard]

    private static let subscripts = Dictionary(uniqueKeysWithValues: zip(
        "0123456789+−-=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ"))
    private static let superscripts = Dictionary(uniqueKeysWithValues: zip(
        "0123456789+−-=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVW⊤′*∗",
        "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂᵀ′**"))
    private static let scriptGlyphs = Set(subscripts.values).union(superscripts.values)

    /// Greek letters; each name is paired with the glyph at the same position.
    private static let greek = Dictionary(uniqueKeysWithValues: zip(
        ("alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi omicron"
            + " pi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega"
            + " Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega").split(separator: " ").map(String.init),
        "αβγδεεζηθθικλμνξοπρρσςτυφφχψωΓΔΘΛΞΠΣΥΦΨΩ".map(String.init)))

    /// Relations and binary operators, set off by a space on each side (`a ≤ b`);
    /// `tidy` merges these spaces with any the source has.
    private static let relations: [String: String] = [
        "cdot": "·", "times": "×", "pm": "±", "mp": "∓", "sim": "~", "approx": "≈", "propto": "∝", "equiv": "≡",
        "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "ne": "≠", "neq": "≠", "ll": "≪", "gg": "≫",
        "to": "→", "rightarrow": "→", "Rightarrow": "⇒", "implies": "⇒", "leftarrow": "←", "gets": "←",
        "Leftarrow": "⇐", "leftrightarrow": "↔", "iff": "⇔", "mapsto": "↦", "mid": "|",
        "in": "∈", "notin": "∉", "subset": "⊂", "subseteq": "⊆", "cup": "∪", "cap": "∩", "setminus": "∖",
    ].mapValues { " \($0) " }

    /// Commands that stand for a fixed glyph, a space, or nothing.
    private static let symbols: [String: String] = greek.merging(relations) { a, _ in a }.merging([
        "infty": "∞", "partial": "∂", "nabla": "∇", "vert": "|", "lvert": "|", "rvert": "|",
        "|": "‖", "Vert": "‖", "lVert": "‖", "rVert": "‖", "vdots": "⋮",
        "{": "{", "}": "}", "lbrace": "{", "rbrace": "}", "langle": "⟨", "rangle": "⟩",
        "lfloor": "⌊", "rfloor": "⌋", "lceil": "⌈", "rceil": "⌉", "$": "$", "%": "%", "#": "#", "&": "&", "_": "_",
        "top": "⊤", "intercal": "⊤", "prime": "′", "forall": "∀", "exists": "∃", "neg": "¬",
        "land": "∧", "lor": "∨", "wedge": "∧", "vee": "∨", "circ": "∘", "ast": "∗", "star": "⋆",
        "ell": "ℓ", "emptyset": "∅", "varnothing": "∅", "odot": "⊙", "otimes": "⊗", "oplus": "⊕", "perp": "⊥",
        "triangleq": "≜", "coloneqq": "≔", "hbar": "ℏ", "dagger": "†",
        "quad": String(quadSpace), "qquad": String(repeating: quadSpace, count: 2),
        ",": " ", ";": " ", ":": " ", " ": " ", "\\": " ", "!": "",
        "displaystyle": "", "textstyle": "", "limits": "", "nolimits": "",
    ]) { a, _ in a }
}

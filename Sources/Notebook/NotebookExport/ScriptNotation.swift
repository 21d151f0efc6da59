/// Subscripts and superscripts written TeX-style in plain text — check titles, row quantities,
/// lesson summaries: `L_{t−1}`, `σ_max`, `p_θ(x_{0:T})`, `β^{3/2}` — shown as scripts instead
/// of raw TeX: Unicode in a terminal (`Lₜ₋₁`, `σₘₐₓ`), `<sub>`/`<sup>` in HTML and Markdown.
///
/// A `_` or `^` is a script only after a symbol: a lone ASCII letter (`x_t`, not the
/// `e` of `scale_model_input`), a Greek letter or another non-ASCII symbol, a closing bracket,
/// a prime or a script glyph (`Σ₁^{½}`, `MMD²_b`). Its body is a braced group, a run of up to
/// three ASCII letters (`σ_max`; a longer word such as `q_sample` or `L_simple` is a name, left
/// as written), a run of digits, or one other character.
enum ScriptNotation {
    enum Piece: Equatable {
        case text(String)
        case sub(String)
        case sup(String)
    }

    static func pieces(_ text: String) -> [Piece] {
        let characters = Array(text)
        var pieces: [Piece] = []
        var plain = ""
        var i = 0
        while i < characters.count {
            let c = characters[i]
            if c == "_" || c == "^", i > 0, isSymbol(at: i - 1, in: characters), let (body, next) = body(after: i, in: characters) {
                if !plain.isEmpty { pieces.append(.text(plain)) }
                plain = ""
                pieces.append(c == "_" ? .sub(body) : .sup(body))
                i = next
                continue
            }
            plain.append(c)
            i += 1
        }
        if !plain.isEmpty { pieces.append(.text(plain)) }
        return pieces
    }

    /// For a terminal: each script in Unicode when every character has a script form, else as
    /// `LaTeXUnicode` writes a formula's (`x_T`, `x_(0:T)`: Unicode has no subscript T).
    static func unicode(_ text: String) -> String {
        pieces(text).map { piece in
            switch piece {
            case .text(let text): text
            case .sub(let body): LaTeXUnicode.script(body, isSubscript: true)
            case .sup(let body): LaTeXUnicode.script(body, isSubscript: false)
            }
        }.joined()
    }

    /// For HTML (and Markdown, which passes HTML through): the text escaped by `escape`, each
    /// script in `<sub>`/`<sup>`.
    static func html(_ text: String, escape: (String) -> String) -> String {
        pieces(text).map { piece in
            switch piece {
            case .text(let text): escape(text)
            case .sub(let body): "<sub>" + escape(body) + "</sub>"
            case .sup(let body): "<sup>" + escape(body) + "</sup>"
            }
        }.joined()
    }

    static func isSymbol(at index: Int, in characters: [Character]) -> Bool {
        let c = characters[index]
        if c.isASCII, c.isLetter {
            guard index > 0 else { return true }
            let before = characters[index - 1]
            return !(before.isLetter || before.isNumber || before == "_")
        }
        if c.isASCII { return ")]".contains(c) }
        return !c.isWhitespace && !"—–·,;:".contains(c)
    }

    /// The script's body after the marker at `index`, and the index after it.
    static func body(after index: Int, in characters: [Character]) -> (String, Int)? {
        var i = index + 1
        guard i < characters.count else { return nil }
        let first = characters[i]
        if first == "{" {
            var depth = 0
            var body = ""
            while i < characters.count {
                let c = characters[i]
                if c == "{" { depth += 1; if depth == 1 { i += 1; continue } }
                if c == "}" { depth -= 1; if depth == 0 { return body.isEmpty ? nil : (body, i + 1) } }
                body.append(c)
                i += 1
            }
            return nil
        }
        if first.isASCII, first.isLetter || first.isNumber {
            var body = ""
            while i < characters.count, characters[i].isASCII, first.isLetter ? characters[i].isLetter : characters[i].isNumber {
                body.append(characters[i])
                i += 1
            }
            // A longer word is a name (`q_sample`), and a script never runs into a word.
            if first.isLetter, body.count > 3 { return nil }
            if i < characters.count, characters[i].isLetter || characters[i].isNumber || characters[i] == "_" { return nil }
            return (body, i)
        }
        if first.isWhitespace || "({[,.;:".contains(first) { return nil }
        return (String(first), i + 1)
    }
}

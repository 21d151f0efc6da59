/// A prompt turned into token ids for the text encoder: a start token, then one token per
/// known word, padded to `TextEncoder.length`. Words are the words of the Fashion-MNIST
/// class names; the empty prompt is the null condition ∅ of classifier-free guidance.
public struct Prompt: Sendable, Equatable {
    public let text: String
    public let tokens: [Int]

    /// id 0 pads, id 1 starts every prompt, the words follow.
    public static let vocabulary: [String] = ["<pad>", "<start>"] + {
        var words: [String] = []
        for name in FashionMNIST.classNames {
            for word in split(name) where !words.contains(word) { words.append(word) }
        }
        return words
    }()

    /// The words a prompt may use.
    public static var words: [String] { Array(vocabulary.dropFirst(2)) }

    static func split(_ text: String) -> [String] {
        text.lowercased().split(whereSeparator: { $0 == " " || $0 == "/" || $0 == "," || $0 == "\t" }).map(String.init)
    }

    public init(_ text: String) throws(PromptError) {
        let words = Self.split(text)
        guard words.count < TextEncoder.length else {
            throw PromptError("the prompt \"\(text)\" has \(words.count) words; at most \(TextEncoder.length - 1) fit the text encoder's \(TextEncoder.length) tokens")
        }
        var tokens = [1]
        for word in words {
            guard let id = Self.vocabulary.firstIndex(of: word) else {
                throw PromptError("unknown word \"\(word)\" in the prompt \"\(text)\"; the words it knows are: \(Self.words.joined(separator: ", ")) (the empty prompt \"\" is the unconditional one)")
            }
            tokens.append(id)
        }
        self.text = text
        self.tokens = tokens + Array(repeating: 0, count: TextEncoder.length - tokens.count)
    }

    /// The prompt of a class: its name, e.g. "ankle boot".
    public static func forClass(_ label: Int) -> Prompt {
        // The class names are made of vocabulary words by construction.
        (try? Prompt(FashionMNIST.classNames[label]))!
    }

    /// ∅, the unconditional prompt.
    public static let empty = (try? Prompt(""))!
}

/// A prompt the text encoder cannot read.
public struct PromptError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

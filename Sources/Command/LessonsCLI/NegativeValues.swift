import ArgumentParser
import Neural

extension LessonsCommand {
    /// The arguments with each `--name -NUMBER` joined into `--name=-NUMBER`.
    ///
    /// ArgumentParser reads a token that starts with a dash as the next option, so `--seed -1`
    /// or `--beta-start -0.1` came back as "Missing value for '--seed'", which names the wrong
    /// problem. Joined, the value reaches the option, and a number the option cannot take gets
    /// the option's own range error. Only tokens that are numbers are joined: `--json -h`
    /// keeps its meaning.
    public static func joiningNegativeValues(_ arguments: [String]) -> [String] {
        var joined: [String] = []
        var i = 0
        while i < arguments.count {
            let argument = arguments[i]
            if argument.hasPrefix("--"), argument.count > 2, !argument.contains("="), i + 1 < arguments.count,
               isNegativeNumber(arguments[i + 1]) {
                joined.append("\(argument)=\(arguments[i + 1])")
                i += 2
            } else {
                joined.append(argument)
                i += 1
            }
        }
        return joined
    }

    /// `-` followed by a decimal number (digits, an optional fraction, an optional exponent),
    /// or by `inf`/`infinity`/`nan`.
    static func isNegativeNumber(_ token: String) -> Bool {
        guard token.hasPrefix("-"), token.count > 1 else { return false }
        let body = token.dropFirst()
        if ["inf", "infinity", "nan"].contains(body.lowercased()) { return true }
        return Double(body) != nil && body.first.map { $0.isNumber || $0 == "." } == true
    }

    /// `main` over the process's arguments, negative values joined to their options. First, a
    /// process whose OpenBLAS fell back to Prescott's kernels runs itself again with better
    /// ones (`BLASKernel`).
    public static func mainJoiningNegativeValues() {
        BLASKernel.rerunOnFallback()
        main(joiningNegativeValues(Array(CommandLine.arguments.dropFirst())))
    }
}

/// A `--seed` value: a whole number in 0…2⁶⁴ − 1, or an error that says so.
func seedArgument(_ text: String) throws -> UInt64 {
    guard let seed = UInt64(text) else { throw ValidationError("a seed is a whole number in 0…18446744073709551615 (got \(text))") }
    return seed
}

import Foundation
import LessonsCLI
import Testing

/// A negative number after an option reaches the option, so a value it cannot take gets the
/// option's own range error, not "Missing value" (the four examples, each exit 64).
@Suite("Negative option values")
struct NegativeValueTests {
    @Test("each gets its range error", arguments: [
        (["run", "gaussian", "--cell", "1", "--seed", "-1"], "a seed is a whole number in 0…18446744073709551615 (got -1)"),
        (["calc", "schedule", "--schedule", "linear", "--T", "-5"], "--T must be between 1 and 1000000 (got -5)"),
        (["calc", "schedule", "--schedule", "linear", "--beta-start", "-0.1"], "--beta-start must lie strictly between 0 and 1 (got -0.1)"),
        (["calc", "vlb", "--schedule", "linear", "--T", "10", "--data-mean", "0", "--data-var", "-1", "--x0", "0"], "--data-var must be a finite variance ≥ 0 (got -1.0)"),
    ])
    func rangeErrors(arguments: [String], message: String) throws {
        let result = try Invocation(arguments)
        #expect(result.status == 64, "\(arguments): \(result.stderr)")
        #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        #expect(!result.stderr.contains("Missing value"))
    }

    @Test("a negative value an option takes still works, and only numbers are joined")
    func joining() throws {
        let result = try Invocation(["calc", "kl", "--mean1", "-1", "--var1", "1", "--mean2", "0", "--var2", "1"])
        #expect(result.status == 0 && result.stdout.contains("0.5"), "\(result.stderr)")
        #expect(LessonsCommand.joiningNegativeValues(["--seed", "-1", "--json", "-h", "--x", "-2.5e-3", "--y=-1", "-3"])
                == ["--seed=-1", "--json", "-h", "--x=-2.5e-3", "--y=-1", "-3"])
        #expect(LessonsCommand.joiningNegativeValues(["--eta", "-inf", "--a", "-", "--b", "-x1"]) == ["--eta=-inf", "--a", "-", "--b", "-x1"])
    }
}

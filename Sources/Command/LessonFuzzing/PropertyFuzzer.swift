/// A property-based fuzzer: input number i of a seeded run, and a check that returns a
/// finding when the code under test breaks its property on that input (a crash would end
/// the run itself).
public protocol PropertyFuzzer {
    associatedtype Input
    associatedtype Finding
    /// The `index`-th generated input of the run seeded with `seed`.
    func input(_ index: Int, seed: UInt64) -> Input
    /// Nil when `input` was handled as the property says; else what went wrong.
    func check(_ input: Input, timeLimit: Double) -> Finding?
}

extension PropertyFuzzer {
    /// Runs `count` generated inputs (each with a 1-second time limit); returns the
    /// findings. `progress` is told every 1000 inputs.
    public func run(count: Int, seed: UInt64, progress: ((Int) -> Void)? = nil) -> [Finding] {
        var findings: [Finding] = []
        for index in 0..<count {
            if index % 1000 == 0 { progress?(index) }
            if let finding = check(input(index, seed: seed), timeLimit: 1) { findings.append(finding) }
        }
        return findings
    }
}

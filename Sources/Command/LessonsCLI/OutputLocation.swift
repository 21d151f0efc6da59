import ArgumentParser
import Foundation

/// Output paths proven writable before the work that fills them: a bad `--out` fails in a
/// moment, not after a lesson run, a training run or a benchmark.
enum OutputLocation {
    /// Creates `folder` if missing and writes and removes a probe file in it; on failure prints
    /// what went wrong for `option` and throws `ExitCode(exitCode)`.
    static func requireWritable(folder: URL, option: String, exitCode: Int32) throws {
        let probe = folder.appendingPathComponent(".lessons-write-test-\(ProcessInfo.processInfo.processIdentifier)")
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data().write(to: probe)
            try FileManager.default.removeItem(at: probe)
        } catch {
            Terminal.printError("\(option) \(folder.path): cannot write there (\(error.localizedDescription))")
            throw ExitCode(exitCode)
        }
    }

    /// `requireWritable` for the folder that will hold `file`.
    static func requireWritable(file: URL, option: String, exitCode: Int32) throws {
        try requireWritable(folder: file.deletingLastPathComponent(), option: option, exitCode: exitCode)
    }
}

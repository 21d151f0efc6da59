import CGnuplot
import Foundation

/// The gnuplot program, run once per script through the CGnuplot C layer
/// (gnuplot-iostream). A value: each `run` starts and finishes its own gnuplot process,
/// so it can be used from any number of tasks at once.
public struct Gnuplot: Sendable, Equatable {
    /// The program to run: a name searched on PATH, or a path.
    public var program: String

    public init(program: String = "gnuplot") {
        self.program = program
    }

    /// Runs `script` and returns what gnuplot wrote to stdout (the image, when the script
    /// says `set output` without a file name). `dataBlocks[k]` is available to the script
    /// as the datablock `$data<k>`.
    ///
    /// Throws `ChartError.gnuplotMissing` when the program cannot be started,
    /// `.gnuplotFailed` with gnuplot's stderr when it exits with a non-zero status or is
    /// killed, and `.systemFailure` when a pipe, temporary file or process call fails.
    public func run(script: String, dataBlocks: [String] = []) throws -> Data {
        let copies = dataBlocks.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        let blocks = copies.map { $0.map { UnsafePointer<CChar>($0) } }
        guard !blocks.contains(where: { $0 == nil }) else {
            throw ChartError.systemFailure("out of memory while copying the plot data")
        }

        var output: UnsafeMutablePointer<CChar>?
        var outputLength = 0
        var errorText: UnsafeMutablePointer<CChar>?
        let status = blocks.withUnsafeBufferPointer { buffer in
            cgnuplot_render(program, script, buffer.baseAddress, buffer.count, &output, &outputLength, &errorText)
        }
        defer {
            cgnuplot_free(output)
            cgnuplot_free(errorText)
        }
        let stderr = errorText.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: strlen($0)), as: UTF8.self) } ?? ""

        switch Int(status) {
        case 0:
            guard let output else { return Data() }
            return Data(bytes: output, count: outputLength)
        case CGNUPLOT_NOT_FOUND:
            throw ChartError.gnuplotMissing(program: program, reason: stderr)
        case CGNUPLOT_SIGNALED:
            throw ChartError.gnuplotFailed(exitStatus: nil, stderr: stderr)
        case CGNUPLOT_SYSTEM_ERROR:
            throw ChartError.systemFailure(stderr)
        default:
            throw ChartError.gnuplotFailed(exitStatus: status, stderr: stderr)
        }
    }

    /// The first line of `gnuplot --version` (e.g. "gnuplot 5.4 patchlevel 4"), or nil
    /// when the program cannot be run; for `lessons doctor`.
    public func version() -> String? {
        guard let text = cgnuplot_version(program) else { return nil }
        defer { cgnuplot_free(text) }
        return String(cString: text)
    }
}

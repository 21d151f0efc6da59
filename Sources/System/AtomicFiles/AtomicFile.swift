import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file that could not be written: its path and the reason, from the operating system.
public struct UnwritableFile: Error, Sendable, Equatable, CustomStringConvertible {
    public let path: String
    public let reason: String

    public var description: String { "cannot write \(path): \(reason)" }
}

/// Writing a file so that readers see either the old file or the complete new one, never
/// a half-written one: temporary file in the same folder, fsync, rename. Every output of
/// the project (charts, checkpoints, CSV, exports) goes through here.
public enum AtomicFile {
    /// Writes `data` to `url`, creating missing folders. Throws `UnwritableFile` with the
    /// reason (from the operating system) when the folder or the file cannot be written;
    /// the temporary file is removed on every failure.
    public static func write(_ data: Data, to url: URL) throws(UnwritableFile) {
        guard url.isFileURL else {
            throw UnwritableFile(path: url.absoluteString, reason: "not a file URL")
        }
        let path = url.standardizedFileURL.path
        let folder = url.standardizedFileURL.deletingLastPathComponent().path
        let name = url.lastPathComponent
        guard !name.isEmpty, name != "/" else {
            throw UnwritableFile(path: path, reason: "the path names a folder, not a file")
        }
        if let reason = makeFolder(folder) {
            throw UnwritableFile(path: path, reason: reason)
        }

        let temporary = folder + "/." + name + ".tmp-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw UnwritableFile(path: path, reason: "cannot create a file in \(folder): \(lastError())")
        }
        var failure = writeAll(data, to: fd)
        if failure == nil, fsync(fd) != 0 { failure = "fsync: \(lastError())" }
        if close(fd) != 0, failure == nil { failure = "close: \(lastError())" }
        if failure == nil, rename(temporary, path) != 0 { failure = "rename: \(lastError())" }
        if let failure {
            unlink(temporary)
            throw UnwritableFile(path: path, reason: failure)
        }
    }

    /// Writes every byte (retrying short writes and EINTR); returns a reason on failure.
    private static func writeAll(_ data: Data, to fd: Int32) -> String? {
        data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) -> String? in
            var offset = 0
            while offset < bytes.count {
                guard let base = bytes.baseAddress else { return nil }
                #if canImport(Glibc)
                let count = Glibc.write(fd, base + offset, bytes.count - offset)
                #else
                let count = Darwin.write(fd, base + offset, bytes.count - offset)
                #endif
                if count < 0 {
                    if errno == EINTR { continue }
                    return "write: \(lastError())"
                }
                offset += count
            }
            return nil
        }
    }

    /// `mkdir -p folder`; returns nil on success, else the reason.
    private static func makeFolder(_ folder: String) -> String? {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) {
            return isFolder.boolValue ? nil : "\(folder) exists and is not a folder"
        }
        let parent = (folder as NSString).deletingLastPathComponent
        if !parent.isEmpty, parent != folder, let reason = makeFolder(parent) {
            return reason
        }
        if mkdir(folder, 0o755) != 0, errno != EEXIST {
            return "cannot create folder \(folder): \(lastError())"
        }
        return nil
    }

    private static func lastError() -> String {
        String(cString: strerror(errno))
    }
}

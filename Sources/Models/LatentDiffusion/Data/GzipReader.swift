import CZlib
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a whole gzip file into memory with zlib (`gzopen`/`gzread`/`gzclose`).
///
/// A file that is not gzip at all is returned as is: zlib reads it "transparently", and the
/// caller's own format check (the IDX parser) decides whether the bytes make sense.
/// A missing file, a folder, a corrupt stream (`gzread` returns −1: bad header, invalid
/// deflate data, CRC mismatch) and a stream cut short (zlib's `Z_BUF_ERROR`, "unexpected
/// end of file") are each a `GzipError`. Output is capped at `limit` bytes: past it the
/// read stops with `.tooLarge` instead of filling memory (a decompression bomb: 64 MB of
/// zeros compresses to about 64 KB).
public enum GzipReader {
    /// The default cap on decompressed bytes: 64 MiB, above Fashion-MNIST's largest file
    /// (training images, 47 040 016 bytes).
    public static let defaultLimit = 64 << 20

    /// The decompressed bytes of the file at `path`, at most `limit` of them.
    public static func read(path: String, limit: Int = defaultLimit) throws(GzipError) -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw .missingFile(path: path) }
        guard !isDirectory.boolValue else { throw .unreadable(path: path, reason: "it is a folder") }
        errno = 0
        guard let file = gzopen(path, "rb") else {
            throw .unreadable(path: path, reason: errno == 0 ? "zlib could not open it" : String(cString: strerror(errno)))
        }
        let result = drain(file, path: path, limit: max(limit, 0))
        let closing = gzclose(file)
        let bytes = try result.get()
        // gzclose reports Z_BUF_ERROR when the last read ended inside a gzip stream.
        if closing == Z_BUF_ERROR { throw .truncated(path: path, byteCount: bytes.count) }
        guard closing == Z_OK else { throw .unreadable(path: path, reason: "gzclose failed with zlib status \(closing)") }
        return bytes
    }

    /// Reads `file` to its end in 1 MiB chunks; asks for at most `limit + 1` bytes in all,
    /// so that one byte past the cap is enough to refuse the file.
    private static func drain(_ file: gzFile, path: String, limit: Int) -> Result<[UInt8], GzipError> {
        _ = gzbuffer(file, 256 << 10)
        let chunk = 1 << 20
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: chunk)
        while true {
            let wanted = min(chunk, limit - output.count + 1)
            let count = buffer.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32(wanted)) }
            if count < 0 { return .failure(streamError(file, path: path, byteCount: output.count)) }
            if count == 0 { break }
            output.append(contentsOf: buffer[0..<Int(count)])
            if output.count > limit { return .failure(.tooLarge(path: path, limit: limit)) }
        }
        var status: Int32 = Z_OK
        _ = gzerror(file, &status)
        if status == Z_BUF_ERROR { return .failure(.truncated(path: path, byteCount: output.count)) }
        if status != Z_OK { return .failure(streamError(file, path: path, byteCount: output.count)) }
        return .success(output)
    }

    /// The error zlib recorded on `file`: an I/O error, a truncation or a corrupt stream.
    private static func streamError(_ file: gzFile, path: String, byteCount: Int) -> GzipError {
        var status: Int32 = Z_OK
        let message = gzerror(file, &status).map { String(cString: $0) } ?? "unknown error"
        switch status {
        case Z_ERRNO: return .unreadable(path: path, reason: String(cString: strerror(errno)))
        case Z_BUF_ERROR: return .truncated(path: path, byteCount: byteCount)
        case Z_MEM_ERROR: return .unreadable(path: path, reason: "zlib ran out of memory")
        default: return .corrupt(path: path, reason: message.isEmpty ? "status \(status)" : message)
        }
    }
}

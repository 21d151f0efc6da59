/// What can go wrong reading a gzip file with `GzipReader` (or compressing with `GzipWriter`).
///
/// Every `description` starts with the path and says what was wrong and what is expected.
public enum GzipError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No file at `path`.
    case missingFile(path: String)
    /// The file exists but cannot be read: a folder, no permission, an I/O error.
    case unreadable(path: String, reason: String)
    /// zlib refused the stream (a bad header, invalid deflate data, a CRC or length
    /// mismatch); `reason` is zlib's message.
    case corrupt(path: String, reason: String)
    /// The gzip stream ends before its end marker, after `byteCount` decompressed bytes.
    case truncated(path: String, byteCount: Int)
    /// Decompressing gives more than `limit` bytes (a decompression bomb, or not the file meant).
    case tooLarge(path: String, limit: Int)
    /// `GzipWriter` could not compress (zlib's `reason`).
    case cannotCompress(reason: String)

    public var description: String {
        switch self {
        case let .missingFile(path):
            return "\(path): no such file"
        case let .unreadable(path, reason):
            return "\(path): cannot read the file (\(reason)); a readable regular file is expected"
        case let .corrupt(path, reason):
            return "\(path): the gzip stream is corrupt (zlib: \(reason)); a complete .gz file as gzip writes it is expected"
        case let .truncated(path, count):
            return "\(path): the gzip stream ends early, after \(count) decompressed bytes, without its end marker "
                + "(is the file truncated or still being written?)"
        case let .tooLarge(path, limit):
            return "\(path): decompresses to more than \(limit) bytes, the most accepted; refusing it "
                + "(a decompression bomb, or not the file meant?)"
        case let .cannotCompress(reason):
            return "cannot gzip-compress the bytes (zlib: \(reason))"
        }
    }
}

import CZlib

/// Gzip-compresses bytes in memory (zlib's deflate with the gzip wrapper, RFC 1952), as
/// `gzip` would write them to a .gz file. The tests and the IDX fuzzer build their .gz
/// inputs with it; `GzipReader` reads them back.
public enum GzipWriter {
    /// The gzip stream of `bytes` at compression `level` (0 = stored … 9 = smallest).
    /// Throws `GzipError.cannotCompress` for a level outside 0…9, more than 4 GiB of input,
    /// or a zlib failure.
    public static func compress(_ bytes: [UInt8], level: Int32 = 6) throws(GzipError) -> [UInt8] {
        guard (0...9).contains(level) else { throw .cannotCompress(reason: "level \(level) given, 0 … 9 accepted") }
        guard UInt64(bytes.count) <= UInt64(UInt32.max) else {
            throw .cannotCompress(reason: "\(bytes.count) bytes given, at most \(UInt32.max) in one call")
        }
        var stream = z_stream()
        // windowBits 15 + 16: a 32 KiB window and a gzip header and trailer instead of zlib's.
        let initialized = deflateInit2_(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY,
                                        zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard initialized == Z_OK else { throw .cannotCompress(reason: "deflateInit2 returned \(initialized)") }
        var input = bytes
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(bytes.count))))
        let status = input.withUnsafeMutableBufferPointer { inputBuffer in
            output.withUnsafeMutableBufferPointer { outputBuffer in
                stream.next_in = inputBuffer.baseAddress
                stream.avail_in = UInt32(inputBuffer.count)
                stream.next_out = outputBuffer.baseAddress
                stream.avail_out = UInt32(clamping: outputBuffer.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        let written = Int(stream.total_out)
        deflateEnd(&stream)
        guard status == Z_STREAM_END else { throw .cannotCompress(reason: "deflate returned \(status)") }
        return Array(output[0..<written])
    }
}

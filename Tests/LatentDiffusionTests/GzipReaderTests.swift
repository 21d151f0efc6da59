import Foundation
import LatentDiffusion
import Testing

@Suite("Reading .gz files with zlib: round trips, and a typed error for a missing, corrupt, cut or oversized file")
struct GzipReaderTests {
    /// A fresh folder for one test's files.
    static func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("gzip-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func write(_ bytes: [UInt8], named name: String, in folder: URL) throws -> String {
        let url = folder.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    static let text = Array(String(repeating: "Fashion-MNIST, 28×28 pixels of clothing. ", count: 500).utf8)

    @Test("Compress, write, read back: the same bytes (also an empty input and a stored level-0 stream)")
    func roundTrip() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        for (input, level) in [(Self.text, Int32(6)), ([], 6), (Self.text, 0), ((0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 7919) }, 9)] {
            let gz = try GzipWriter.compress(input, level: level)
            #expect(gz.prefix(2) == [0x1F, 0x8B])
            let path = try Self.write(gz, named: "round.gz", in: folder)
            #expect(try GzipReader.read(path: path) == input)
        }
    }

    @Test("A file that is not gzip is read transparently, as is (the IDX parser then judges it)")
    func plainFile() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let plain: [UInt8] = [0, 0, 8, 1, 0, 0, 0, 2, 5, 6]
        #expect(try GzipReader.read(path: try Self.write(plain, named: "plain.idx", in: folder)) == plain)
        #expect(try GzipReader.read(path: try Self.write([], named: "empty", in: folder)) == [])
    }

    @Test("A missing file and a folder")
    func missingAndFolder() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let missing = folder.appendingPathComponent("nothing.gz").path
        #expect(throws: GzipError.missingFile(path: missing)) { try GzipReader.read(path: missing) }
        #expect(throws: GzipError.unreadable(path: folder.path, reason: "it is a folder")) { try GzipReader.read(path: folder.path) }
    }

    @Test("A stream cut short is .truncated, wherever the cut falls after the header", arguments: [10, 100, 1000])
    func truncated(keep: Int) throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let gz = try GzipWriter.compress((0..<50_000).map { UInt8(truncatingIfNeeded: $0 * $0 >> 3) })
        #expect(gz.count > 1000)
        let path = try Self.write(Array(gz.prefix(keep)), named: "cut.gz", in: folder)
        do {
            let bytes = try GzipReader.read(path: path)
            Issue.record("read \(bytes.count) bytes from a cut stream")
        } catch {
            guard case .truncated(path, _) = error else { Issue.record("\(error)"); return }
            #expect(error.description.contains("ends early"))
        }
        // Without the 8-byte trailer (CRC-32 and length) the data is all there but unchecked: also refused.
        let noTrailer = try Self.write(Array(gz.dropLast(8)), named: "no-trailer.gz", in: folder)
        #expect(throws: GzipError.self) { try GzipReader.read(path: noTrailer) }
    }

    @Test("A wrong CRC-32, a wrong length and invalid deflate data are .corrupt with zlib's reason")
    func corrupt() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let gz = try GzipWriter.compress(Self.text)
        var badCRC = gz
        badCRC[gz.count - 8] ^= 0xFF
        var badLength = gz
        badLength[gz.count - 1] ^= 0x01
        let garbage = Array(gz.prefix(10)) + [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0]
        for (bytes, reason) in [(badCRC, "incorrect data check"), (badLength, "incorrect length check"), (garbage, "invalid")] {
            let path = try Self.write(bytes, named: "bad.gz", in: folder)
            do {
                let read = try GzipReader.read(path: path)
                Issue.record("read \(read.count) bytes from a corrupt stream")
            } catch {
                guard case let .corrupt(errorPath, message) = error else { Issue.record("\(error)"); continue }
                #expect(errorPath == path)
                #expect(message.contains(reason), "\(message)")
                #expect(error.description.hasPrefix(path + ": the gzip stream is corrupt"))
            }
        }
    }

    @Test("A decompression bomb stops at the limit: 2 MB of zeros (≈2 KB compressed) against a 1 MB cap")
    func bomb() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let gz = try GzipWriter.compress([UInt8](repeating: 0, count: 2 << 20), level: 9)
        #expect(gz.count < 4096)
        let path = try Self.write(gz, named: "bomb.gz", in: folder)
        #expect(throws: GzipError.tooLarge(path: path, limit: 1 << 20)) { try GzipReader.read(path: path, limit: 1 << 20) }
        #expect(try GzipReader.read(path: path, limit: 2 << 20).count == 2 << 20)  // exactly the limit is accepted
        // The default cap: 64 MiB + 1 byte is refused.
        let big = try GzipWriter.compress([UInt8](repeating: 0, count: GzipReader.defaultLimit + 1), level: 1)
        let bigPath = try Self.write(big, named: "big.gz", in: folder)
        #expect(throws: GzipError.tooLarge(path: bigPath, limit: GzipReader.defaultLimit)) { try GzipReader.read(path: bigPath) }
    }

    @Test("Compression levels outside 0…9 are refused")
    func badLevel() {
        #expect(throws: GzipError.self) { try GzipWriter.compress([1], level: 10) }
        #expect(throws: GzipError.self) { try GzipWriter.compress([1], level: -2) }
    }
}

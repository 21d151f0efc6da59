import CGSL
import Foundation

/// The OpenBLAS kernel family in use (e.g. "Haswell"), from `openblas_get_corename`.
public var openBLASCoreName: String {
    openblas_get_corename().map { String(cString: $0) } ?? ""
}

/// OpenBLAS' build line from `openblas_get_config`, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH
/// NO_AFFINITY Haswell MAX_THREADS=64": its version and how it was built.
public var openBLASConfiguration: String {
    openblas_get_config().map { String(cString: $0) } ?? ""
}

/// The shared library that the symbol `cblas_sgemm` resolves to in this process: it must
/// be OpenBLAS (GSL's bundled reference CBLAS is some 20× slower). Found by looking the
/// symbol up (`dlsym` with the default scope) and finding its address in /proc/self/maps.
public func blasLibraryPath() -> String? {
    // /proc files report a size of 0, so read them to the end rather than by size.
    guard let symbol = dlsym(nil, "cblas_sgemm"),
          let file = FileHandle(forReadingAtPath: "/proc/self/maps"),
          let data = try? file.readToEnd() else { return nil }
    try? file.close()
    let maps = String(decoding: data, as: UTF8.self)
    let address = UInt(bitPattern: symbol)
    for line in maps.split(separator: "\n") {
        // "start-end perms offset dev inode   path"
        let fields = line.split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count >= 6 else { continue }
        let bounds = fields[0].split(separator: "-")
        guard bounds.count == 2, let start = UInt(bounds[0], radix: 16), let end = UInt(bounds[1], radix: 16) else { continue }
        if (start..<end).contains(address) { return fields[5...].joined(separator: " ") }
    }
    return nil
}

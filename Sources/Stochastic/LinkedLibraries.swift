import CGSL

/// The OpenBLAS kernel family in use (e.g. "Haswell"), from `openblas_get_corename`.
public var openBLASCoreName: String {
    openblas_get_corename().map { String(cString: $0) } ?? ""
}

/// The shared library that the symbol `cblas_sgemm` resolves to in this process: it must
/// be OpenBLAS (GSL's bundled reference CBLAS is some 20× slower).
public func blasLibraryPath() -> String? {
    cgsl_library_of_symbol("cblas_sgemm").map { String(cString: $0) }
}

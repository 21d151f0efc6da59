import Stochastic

/// The doctor's lines for what the binary was built with: the Swift compiler and the GSL it
/// links. Both are fixed once the binary runs, so they only report.
enum DoctorVersions {
    /// The Swift compiler that built this binary (the language mode is Swift 6 whatever it says).
    static func swift() -> DoctorCheck {
        .ok("swift", "built by the Swift \(compilerVersion) compiler")
    }

    /// The GSL linked into the binary (`gsl_version`); the project needs GSL 2.
    static func gsl(version: String = gslVersion) -> DoctorCheck {
        guard version.hasPrefix("2.") else {
            return .fail("gsl", "GSL \(version.isEmpty ? "of unknown version" : version) is linked; the project needs GSL 2: "
                         + "install: apt-get install libgsl-dev, then rebuild (swift build -c release)")
        }
        return .ok("gsl", "GSL \(version)")
    }

    /// The compiler's version, as far as `#if compiler` can tell.
    static var compilerVersion: String {
        #if compiler(>=6.4)
        return "6.4 or later"
        #elseif compiler(>=6.3)
        return "6.3"
        #elseif compiler(>=6.2)
        return "6.2"
        #elseif compiler(>=6.1)
        return "6.1"
        #else
        return "6.0"
        #endif
    }
}

import CGSL

/// A GSL failure as a Swift error: the status code and GSL's own description.
public struct GSLError: Error, CustomStringConvertible, Sendable {
    public let status: Int32

    init(status: Int32, context: String) {
        self.status = status
        self.context = context
    }

    init(status: Int, context: String) {
        self.init(status: Int32(truncatingIfNeeded: status), context: context)
    }
    public let context: String

    public var description: String {
        let reason = gsl_strerror(status).map { String(cString: $0) } ?? "unknown GSL status"
        return "\(context): GSL error \(status) (\(reason))"
    }
}

/// GSL's default handler aborts the process; the project turns it off once, before the
/// first GSL call, and checks every returned status instead.
enum GSL {
    static let ready: Bool = {
        gsl_set_error_handler_off()
        return true
    }()

    /// Throws a `GSLError` for any status other than GSL_SUCCESS.
    static func check(_ status: Int32, _ context: @autoclosure () -> String) throws {
        guard status == GSL_SUCCESS else { throw GSLError(status: status, context: context()) }
    }

    /// The GSL version string, e.g. "2.7.1".
    static var version: String { String(cString: cgsl_version()) }
}

/// The version of the linked GSL.
public var gslVersion: String { GSL.version }

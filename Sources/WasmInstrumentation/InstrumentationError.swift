/// Why a module could not be instrumented.
///
/// Every case names the byte offset (from the start of the module) where the problem was found,
/// so a caller can report the module as invalid with a precise location.
public struct InstrumentationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, in words.
    public let reason: String
    /// Byte offset in the input module where the problem was detected, when known.
    public let offset: Int?

    /// Creates an error with a readable reason and the offending byte offset.
    public init(_ reason: String, offset: Int?) {
        self.reason = reason
        self.offset = offset
    }

    /// A readable one-line description, e.g. `invalid module: unexpected end of section at byte 0x1f`.
    public var description: String {
        if let offset {
            return "invalid module: \(reason) at byte 0x\(String(offset, radix: 16))"
        }
        return "invalid module: \(reason)"
    }
}

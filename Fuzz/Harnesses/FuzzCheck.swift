/// A broken invariant found by a harness: the input made the code under test do something it
/// promises not to (a round trip that changes the value, a slice outside the input, ...).
///
/// Harnesses throw this instead of trapping so the same bodies run in `swift test` (where a thrown
/// error names the corpus file) and under libFuzzer (where `FuzzSupport` turns it into a trap, so
/// libFuzzer saves the input).
public struct FuzzInvariantFailure: Error, CustomStringConvertible, Sendable {
    /// What went wrong.
    public let message: String
    /// Where the check is (`#fileID`).
    public let file: String
    /// The line of the check.
    public let line: UInt

    public var description: String { "fuzz invariant failed: \(message) (\(file):\(line))" }
}

/// Checks an invariant of the code under test; throws ``FuzzInvariantFailure`` with `message` when
/// it does not hold.
public func fuzzCheck(
    _ condition: @autoclosure () -> Bool,
    _ message: @autoclosure () -> String,
    file: StaticString = #fileID,
    line: UInt = #line
) throws(FuzzInvariantFailure) {
    if !condition() {
        throw FuzzInvariantFailure(message: message(), file: "\(file)", line: line)
    }
}

/// Splits input at the first byte equal to `separator` (the rest after it, or nil without one).
public func splitOnce(_ bytes: [UInt8], at separator: UInt8) -> (head: ArraySlice<UInt8>, tail: ArraySlice<UInt8>?) {
    guard let index = bytes.firstIndex(of: separator) else { return (bytes[...], nil) }
    return (bytes[..<index], bytes[(index + 1)...])
}

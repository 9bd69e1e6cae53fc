/// A network allow-list pattern that could not be parsed.
public struct NetworkPolicyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The pattern as given.
    public var pattern: String
    /// Why it was refused, in words.
    public var reason: String

    public init(pattern: String, reason: String) {
        self.pattern = pattern
        self.reason = reason
    }

    public var description: String {
        "invalid network pattern \"\(pattern)\": \(reason) (expected e.g. https://api.example.com, https://*.example.com:8443, http://127.0.0.1:*)"
    }
}

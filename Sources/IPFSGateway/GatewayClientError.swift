/// One gateway that could not answer a request, and why.
public struct GatewayAttemptFailure: Sendable, Equatable, CustomStringConvertible {
    /// The gateway's base URL.
    public var gateway: String
    /// A readable reason (HTTP status, timeout, verification failure...).
    public var reason: String

    /// Creates a failure record.
    public init(gateway: String, reason: String) {
        self.gateway = gateway
        self.reason = reason
    }

    /// "GATEWAY: REASON".
    public var description: String { "\(gateway): \(reason)" }
}

/// Every way fetching through trustless gateways can fail (besides verification errors, which are
/// `IPFSError` values and make the client try the next gateway).
public enum GatewayClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The client was given no gateway to ask.
    case noGateways
    /// A gateway URL is not `http://host[:port][/prefix]` or `https://...`.
    case invalidGatewayURL(String)
    /// The gateway answered with a status other than 200.
    case badStatus(Int, message: String)
    /// The gateway answered 200 with a body that is not the format asked for.
    case wrongContentType(String)
    /// The gateway did not finish within the per-gateway time limit.
    case timedOut(after: Duration)
    /// No connection could be made within the connect timeout.
    case connectTimedOut(after: Duration)
    /// The gateway sent nothing for longer than the idle timeout.
    case idleTimedOut(after: Duration)
    /// A raw block response was larger than the block size limit.
    case bodyTooLarge(limit: Int)
    /// Every gateway failed; one entry per gateway, in the order they were tried.
    case allGatewaysFailed([GatewayAttemptFailure])

    /// A readable sentence describing the failure.
    public var description: String {
        switch self {
        case .noGateways: return "no gateway URL given"
        case .invalidGatewayURL(let url): return "invalid gateway URL '\(url.prefix(200))' (expected http://host[:port])"
        case .badStatus(let status, let message):
            return message.isEmpty ? "gateway answered HTTP \(status)" : "gateway answered HTTP \(status): \(message.prefix(200))"
        case .wrongContentType(let type): return "gateway answered with content type '\(type.prefix(100))'"
        case .timedOut(let limit): return "gateway did not finish within \(limit)"
        case .connectTimedOut(let limit): return "could not connect within \(limit)"
        case .idleTimedOut(let limit): return "gateway sent nothing for \(limit)"
        case .bodyTooLarge(let limit): return "raw block response is larger than \(limit) bytes"
        case .allGatewaysFailed(let failures):
            return "every gateway failed: " + failures.map(\.description).joined(separator: "; ")
        }
    }
}

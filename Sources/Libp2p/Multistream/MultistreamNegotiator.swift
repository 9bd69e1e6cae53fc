/// The multistream-select 1.0 negotiation as a pure state machine (no I/O): feed it the lines the
/// remote sends, send what it returns.
///
/// The dialer sends the header and its first proposal at once; the listener sends its header at
/// once and answers each proposal with the same line (agreed) or `na`.
public struct MultistreamNegotiator: Sendable {
    /// What to do after a line was received.
    public enum Step: Sendable, Equatable {
        /// Send these bytes and keep reading.
        case send([UInt8])
        /// Keep reading.
        case `continue`
        /// The protocol is agreed; send these bytes (may be empty) first.
        case agreed(String, send: [UInt8])
    }

    private enum Role: Sendable {
        case dialer(proposals: [String], next: Int)
        case listener(supported: @Sendable (String) -> Bool)
    }

    private var role: Role
    private var headerReceived = false

    /// A dialer proposing `protocols` in order of preference.
    public static func dialer(proposing protocols: [String]) -> MultistreamNegotiator {
        MultistreamNegotiator(role: .dialer(proposals: protocols, next: 0))
    }

    /// A listener accepting any protocol for which `supported` returns true.
    public static func listener(supported: @escaping @Sendable (String) -> Bool) -> MultistreamNegotiator {
        MultistreamNegotiator(role: .listener(supported: supported))
    }

    /// The bytes to send first: header (plus the first proposal for a dialer).
    public func start() -> [UInt8] {
        switch role {
        case .dialer(let proposals, _):
            return MultistreamCodec.encode(MultistreamCodec.header) + (proposals.first.map(MultistreamCodec.encode) ?? [])
        case .listener:
            return MultistreamCodec.encode(MultistreamCodec.header)
        }
    }

    /// Processes one line received from the remote.
    public mutating func receive(_ line: String) throws(Libp2pError) -> Step {
        if !headerReceived {
            guard line == MultistreamCodec.header else {
                throw .multistreamMalformed("expected \(MultistreamCodec.header), got \(line.prefix(64))")
            }
            headerReceived = true
            return .continue
        }
        switch role {
        case .dialer(let proposals, let next):
            guard next < proposals.count else { throw .protocolNotSupported(proposals) }
            if line == proposals[next] { return .agreed(line, send: []) }
            guard line == MultistreamCodec.notAvailable else {
                throw .multistreamMalformed("unexpected reply \(line.prefix(64)) to proposal \(proposals[next])")
            }
            let following = next + 1
            role = .dialer(proposals: proposals, next: following)
            guard following < proposals.count else { throw .protocolNotSupported(proposals) }
            return .send(MultistreamCodec.encode(proposals[following]))
        case .listener(let supported):
            if line != MultistreamCodec.notAvailable, line != "ls", supported(line) {
                return .agreed(line, send: MultistreamCodec.encode(line))
            }
            return .send(MultistreamCodec.encode(MultistreamCodec.notAvailable))
        }
    }
}

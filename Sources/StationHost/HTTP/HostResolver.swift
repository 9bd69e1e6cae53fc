import NIOPosix
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NetworkAddresses

/// Turns a host name into addresses. The fetcher checks every address it gets against the policy
/// and connects only to a checked one.
protocol HostResolving: Sendable {
    /// All addresses for `name`, in the resolver's preferred order; throws `StationError` (`.io`).
    func resolve(_ name: String) async throws -> [IPAddress]
}

/// The system resolver (`getaddrinfo`), run on NIO's blocking thread pool so no event loop and no
/// module thread ever waits on DNS.
struct SystemHostResolver: HostResolving {
    let threadPool: NIOThreadPool

    init(threadPool: NIOThreadPool = .singleton) {
        self.threadPool = threadPool
    }

    func resolve(_ name: String) async throws -> [IPAddress] {
        let outcome: Result<[IPAddress], StationError> = try await threadPool.runIfActive {
            Self.lookUp(name)
        }
        return try outcome.get()
    }

    static func lookUp(_ name: String) -> Result<[IPAddress], StationError> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(name, nil, &hints, &list)
        guard status == 0 else {
            let reason = String(cString: gai_strerror(status))
            return .failure(StationError(.io, "could not resolve \(name): \(reason)"))
        }
        defer { freeaddrinfo(list) }
        var addresses: [IPAddress] = []
        var cursor = list
        while let entry = cursor {
            if let socketAddress = entry.pointee.ai_addr {
                switch Int32(socketAddress.pointee.sa_family) {
                case AF_INET:
                    let value = socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr.s_addr }
                    addresses.append(.v4(UInt32(bigEndian: value)))
                case AF_INET6:
                    let raw = socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                        withUnsafeBytes(of: pointer.pointee.sin6_addr) { Array($0) }
                    }
                    if let address = IPAddress(ipv6Bytes: raw) { addresses.append(address) }
                default:
                    break
                }
            }
            cursor = entry.pointee.ai_next
        }
        var seen = Set<IPAddress>()
        let unique = addresses.filter { seen.insert($0).inserted }
        guard !unique.isEmpty else { return .failure(StationError(.io, "could not resolve \(name): no addresses")) }
        return .success(unique)
    }
}

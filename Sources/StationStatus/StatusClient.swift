import Foundation
import NIOCore
import NIOPosix
import NetworkAddresses

/// Why a call to the running daemon failed.
public enum StatusClientError: Error, Sendable, CustomStringConvertible {
    /// The endpoint file names a process that no longer runs.
    case staleEndpoint(path: String, pid: Int32)
    /// The endpoint file's URL is not a loopback `http://` URL.
    case notLoopback(String)
    /// Nothing answers at the endpoint's URL.
    case unreachable(url: String, reason: String)
    /// The daemon answered with an error.
    case refused(status: Int, message: String)
    /// The daemon's answer could not be decoded.
    case badAnswer(String)

    public var description: String {
        switch self {
        case .staleEndpoint(let path, let pid):
            "no running daemon: \(path) names process \(pid), which is not running; start one with station daemon --config FILE"
        case .notLoopback(let url):
            "refusing to send the status token to \(url): the status API only runs on loopback addresses"
        case .unreachable(let url, let reason):
            "the daemon's status API at \(url) does not answer (\(reason)); is the daemon still running?"
        case .refused(let status, let message):
            status == 401
                ? "the daemon refused the token (HTTP 401): STATE/status.json is from another daemon; restart the daemon"
                : "the daemon refused: \(message) (HTTP \(status))"
        case .badAnswer(let reason):
            "the daemon's answer could not be read: \(reason)"
        }
    }
}

/// A small client of the status API for the command line (`station module update`, …).
///
/// It finds the daemon through `STATE/status.json` (``StatusEndpointFile``) and talks plain
/// HTTP/1.1 over loopback with the bearer token, on a small SwiftNIO connection of its own.
/// (Not `URLSession`: on Linux it goes through libcurl, which sends even loopback requests to the
/// proxy in `http_proxy`, and the token with them.)
public struct StatusClient: Sendable {
    /// Where the daemon is.
    public let endpoint: StatusEndpoint

    /// A client for a known endpoint.
    public init(endpoint: StatusEndpoint) throws {
        guard let url = URL(string: endpoint.url), url.scheme == "http", let host = url.host,
              HostAuthority.isLoopback(host: host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")))
        else { throw StatusClientError.notLoopback(endpoint.url) }
        self.endpoint = endpoint
    }

    /// A client for the daemon that wrote `endpointFile` (normally `STATE/status.json`).
    /// - Throws: ``StatusEndpointFileError/notFound(_:)`` when no daemon runs, or
    ///   ``StatusClientError/staleEndpoint(path:pid:)`` when the file outlived its daemon.
    public init(endpointFile: URL) throws {
        let endpoint = try StatusEndpointFile(path: endpointFile).read()
        if endpoint.pid > 0, kill(endpoint.pid, 0) != 0, errno == ESRCH {
            throw StatusClientError.staleEndpoint(path: endpointFile.path, pid: endpoint.pid)
        }
        try self.init(endpoint: endpoint)
    }

    /// The daemon's state now.
    public func status() async throws -> DaemonSnapshot {
        let data = try await send("GET", "/api/v1/status")
        do {
            return try StatusJSON.decoder().decode(DaemonSnapshot.self, from: data)
        } catch {
            throw StatusClientError.badAnswer("\(error)")
        }
    }

    /// The newest `limit` activity entries, oldest first.
    public func activity(limit: Int = 100) async throws -> [ActivityEntry] {
        let data = try await send("GET", "/api/v1/activity?limit=\(limit)")
        do {
            return try StatusJSON.decoder().decode([ActivityEntry].self, from: data)
        } catch {
            throw StatusClientError.badAnswer("\(error)")
        }
    }

    /// Starts `module` again now.
    public func restart(module: String) async throws {
        _ = try await send("POST", "/api/v1/modules/\(Self.pathSegment(module))/restart")
    }

    /// Asks the daemon to fetch `cid` and swap it in for `module`; returns the daemon's message.
    public func update(module: String, cid: String) async throws -> String {
        let body = try JSONEncoder().encode(UpdateRequest(cid: cid))
        let data = try await send("POST", "/api/v1/modules/\(Self.pathSegment(module))/update", body: body)
        let reply = try? JSONDecoder().decode(ActionReply.self, from: data)
        return reply?.message ?? "updated \(module)"
    }

    // MARK: - Transport

    static func pathSegment(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// Requests may take this long (an update fetches a module by CID first).
    public static let requestTimeout: Duration = .seconds(300)
    /// Larger answers are refused.
    static let maxAnswerBytes = 32 * 1024 * 1024

    private func send(_ method: String, _ path: String, body: Data? = nil) async throws -> Data {
        guard let url = URL(string: endpoint.url), let host = url.host, let port = url.port else {
            throw StatusClientError.notLoopback(endpoint.url)
        }
        let connectHost = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        var head = "\(method) \(path) HTTP/1.1\r\n"
        head += "Host: \(StatusServer.authority(host: connectHost, port: port))\r\n"
        head += "Authorization: Bearer \(endpoint.token)\r\n"
        head += "Accept: application/json\r\nConnection: close\r\nUser-Agent: station-cli\r\n"
        if body != nil { head += "Content-Type: application/json\r\n" }
        head += "Content-Length: \(body?.count ?? 0)\r\n\r\n"
        var request = ByteBuffer(string: head)
        if let body { request.writeBytes(body) }

        let raw: ByteBuffer
        do {
            raw = try await Self.exchange(host: connectHost, port: port, request: request)
        } catch let error as StatusClientError {
            throw error
        } catch {
            throw StatusClientError.unreachable(url: endpoint.url, reason: "\(error)")
        }
        let answer = try HTTPAnswerParser.parse(raw)
        guard (200..<300).contains(answer.status) else {
            let message = (try? JSONDecoder().decode(ErrorReply.self, from: answer.body))?.error
                ?? String(decoding: answer.body.prefix(500), as: UTF8.self)
            throw StatusClientError.refused(status: answer.status, message: message)
        }
        return answer.body
    }

    /// Connects, writes `request`, reads until the server closes (we asked for `Connection: close`).
    private static func exchange(host: String, port: Int, request: ByteBuffer) async throws -> ByteBuffer {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(10))
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
            group.addTask {
                try await channel.executeThenClose { inbound, outbound in
                    try await outbound.write(request)
                    var received = ByteBuffer()
                    for try await chunk in inbound {
                        var chunk = chunk
                        received.writeBuffer(&chunk)
                        if received.readableBytes > maxAnswerBytes {
                            throw StatusClientError.badAnswer("the answer is larger than \(maxAnswerBytes / 1024 / 1024) MiB")
                        }
                    }
                    return received
                }
            }
            group.addTask {
                try await Task.sleep(for: requestTimeout)
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            guard let first else {
                channel.channel.close(promise: nil)
                throw StatusClientError.unreachable(url: "http://\(StatusServer.authority(host: host, port: port))", reason: "no answer within \(requestTimeout)")
            }
            return first
        }
    }
}

/// Reads a whole HTTP/1.1 answer (status line, headers, a body by length, chunked or to the end).
enum HTTPAnswerParser {
    struct Answer {
        var status: Int
        var headers: [(String, String)]
        var body: Data
    }

    static func parse(_ buffer: ByteBuffer) throws -> Answer {
        let bytes = Array(buffer.readableBytesView)
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = bytes.firstRange(of: separator) else {
            throw StatusClientError.badAnswer(bytes.isEmpty ? "the daemon closed the connection without answering" : "incomplete HTTP answer")
        }
        let headText = String(decoding: bytes[..<end.lowerBound], as: UTF8.self)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ", maxSplits: 2)
        guard statusLine.count >= 2, statusLine[0].hasPrefix("HTTP/1."), let status = Int(statusLine[1]) else {
            throw StatusClientError.badAnswer("not an HTTP answer")
        }
        let headers: [(String, String)] = lines.compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (line[..<colon].lowercased(), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        var body = Array(bytes[end.upperBound...])
        if headers.contains(where: { $0.0 == "transfer-encoding" && $0.1.lowercased().contains("chunked") }) {
            body = try dechunk(body)
        } else if let length = headers.first(where: { $0.0 == "content-length" }).flatMap({ Int($0.1) }) {
            guard body.count >= length else { throw StatusClientError.badAnswer("the answer was cut short") }
            body = Array(body.prefix(length))
        }
        return Answer(status: status, headers: headers, body: Data(body))
    }

    static func dechunk(_ bytes: [UInt8]) throws -> [UInt8] {
        var output: [UInt8] = []
        var index = 0
        let crlf: [UInt8] = [13, 10]
        while true {
            guard let lineEnd = bytes[index...].firstRange(of: crlf) else { throw StatusClientError.badAnswer("bad chunked body") }
            let sizeText = String(decoding: bytes[index..<lineEnd.lowerBound], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16), size >= 0 else {
                throw StatusClientError.badAnswer("bad chunk size")
            }
            index = lineEnd.upperBound
            if size == 0 { return output }
            guard bytes.count >= index + size else { throw StatusClientError.badAnswer("the answer was cut short") }
            output += bytes[index..<(index + size)]
            index += size + 2
        }
    }
}

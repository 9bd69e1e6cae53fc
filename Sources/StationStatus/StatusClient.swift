import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

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
/// It finds the daemon through `STATE/status.json` (``StatusEndpointFile``) and talks plain HTTP
/// over loopback with the bearer token. Proxies are never used.
public struct StatusClient: Sendable {
    /// Where the daemon is.
    public let endpoint: StatusEndpoint

    /// A client for a known endpoint.
    public init(endpoint: StatusEndpoint) throws {
        guard let url = URL(string: endpoint.url), url.scheme == "http", let host = url.host,
              StatusServer.isLoopbackHost(host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")))
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

    private func send(_ method: String, _ path: String, body: Data? = nil) async throws -> Data {
        guard let url = URL(string: endpoint.url + path) else { throw StatusClientError.notLoopback(endpoint.url) }
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalAndRemoteCacheData, timeoutInterval: 120)
        request.httpMethod = method
        request.setValue("Bearer \(endpoint.token)", forHTTPHeaderField: "Authorization")
        if let body {
            request.httpBody = body
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let configuration = URLSessionConfiguration.ephemeral
        configuration.connectionProxyDictionary = [:]
        configuration.urlCache = nil
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await session.data(for: request)
        } catch {
            throw StatusClientError.unreachable(url: endpoint.url, reason: error.localizedDescription)
        }
        guard let http = response as? HTTPURLResponse else { throw StatusClientError.badAnswer("not an HTTP response") }
        guard (200..<300).contains(http.statusCode) else {
            let message = (try? JSONDecoder().decode(ErrorReply.self, from: data))?.error
                ?? String(decoding: data.prefix(500), as: UTF8.self)
            throw StatusClientError.refused(status: http.statusCode, message: message)
        }
        return data
    }
}

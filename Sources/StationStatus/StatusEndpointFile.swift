import Foundation

/// Random bearer tokens for the status API.
public enum StatusToken {
    /// `byteCount` random bytes (32 unless told) from the system's secure generator, as lowercase hex.
    public static func generate(byteCount: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        var hex = ""
        hex.reserveCapacity(byteCount * 2)
        let digits = Array("0123456789abcdef")
        for _ in 0..<byteCount {
            let byte = UInt8.random(in: .min ... .max, using: &generator)
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0f)])
        }
        return hex
    }
}

/// Where a running daemon's status API is and how to authenticate: the contents of `STATE/status.json`.
public struct StatusEndpoint: Codable, Sendable, Hashable {
    /// The base URL, e.g. `http://127.0.0.1:7834`.
    public var url: String
    /// The bearer token.
    public var token: String
    /// The daemon's process ID.
    public var pid: Int32

    public init(url: String, token: String, pid: Int32 = ProcessInfo.processInfo.processIdentifier) {
        self.url = url
        self.token = token
        self.pid = pid
    }

    /// The dashboard link with the token in the fragment (never sent to the server, not logged).
    public var dashboardURL: String { "\(url)/#token=\(token)" }
}

/// Why the endpoint file could not be used.
public enum StatusEndpointFileError: Error, Sendable, CustomStringConvertible {
    case notFound(String)
    case unreadable(String, String)
    case malformed(String, String)
    case unwritable(String, String)

    public var description: String {
        switch self {
        case .notFound(let path):
            "no running daemon: \(path) not found; start one with station daemon --config FILE"
        case .unreadable(let path, let reason):
            "cannot read \(path): \(reason)"
        case .malformed(let path, let reason):
            "\(path) is not a status endpoint file (\(reason)); stop the daemon and start it again to rewrite it"
        case .unwritable(let path, let reason):
            "cannot write \(path): \(reason)"
        }
    }
}

/// `STATE/status.json`: written by the daemon once the status API listens, read by the CLI
/// (`station module update`, …) to reach it, removed on shutdown.
///
/// The file holds the token, so it is created with mode 0600 and replaced atomically (a temporary
/// file in the same folder, then `rename`), so a reader never sees half a file.
public struct StatusEndpointFile: Sendable {
    /// The file's path.
    public let path: URL

    public init(path: URL) {
        self.path = path
    }

    /// Writes `endpoint` atomically with mode 0600.
    public func write(_ endpoint: StatusEndpoint) throws {
        let data: Data
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            data = try encoder.encode(endpoint) + Data("\n".utf8)
        } catch {
            throw StatusEndpointFileError.unwritable(path.path, "\(error)")
        }
        let folder = path.deletingLastPathComponent().path
        let temporary = "\(folder)/.\(path.lastPathComponent).\(StatusToken.generate(byteCount: 6)).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw StatusEndpointFileError.unwritable(path.path, String(cString: strerror(errno)))
        }
        var failure: String?
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Foundation.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = String(cString: strerror(errno))
                    return
                }
                offset += written
            }
        }
        if failure == nil, fchmod(fd, 0o600) != 0 { failure = String(cString: strerror(errno)) }
        if failure == nil, fsync(fd) != 0 { failure = String(cString: strerror(errno)) }
        close(fd)
        if failure == nil, rename(temporary, path.path) != 0 { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(temporary)
            throw StatusEndpointFileError.unwritable(path.path, failure)
        }
    }

    /// Reads the endpoint a daemon wrote.
    /// - Throws: ``StatusEndpointFileError/notFound(_:)`` when no daemon wrote one.
    public func read() throws -> StatusEndpoint {
        let data: Data
        do {
            data = try Data(contentsOf: path)
        } catch let error as CocoaError where error.code == .fileReadNoSuchFile {
            throw StatusEndpointFileError.notFound(path.path)
        } catch {
            if !FileManager.default.fileExists(atPath: path.path) { throw StatusEndpointFileError.notFound(path.path) }
            throw StatusEndpointFileError.unreadable(path.path, "\(error.localizedDescription)")
        }
        do {
            return try JSONDecoder().decode(StatusEndpoint.self, from: data)
        } catch {
            throw StatusEndpointFileError.malformed(path.path, "expected {\"url\":…,\"token\":…,\"pid\":…}")
        }
    }

    /// Removes the file. With `ifPID`, only when the file still names that process, so a daemon
    /// that shuts down does not delete the file of another daemon that started since.
    public func remove(ifPID pid: Int32? = nil) {
        if let pid {
            guard let current = try? read(), current.pid == pid else { return }
        }
        unlink(path.path)
    }
}

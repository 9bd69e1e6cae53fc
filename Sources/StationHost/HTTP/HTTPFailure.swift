import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// Turns what AsyncHTTPClient and SwiftNIO throw into a ``StationError`` a module author can act on.
enum HTTPFailure {
    static func describe(_ error: any Error, origin: String) -> StationError {
        if let station = error as? StationError { return station }
        if let client = error as? HTTPClientError {
            switch client {
            case .connectTimeout, .tlsHandshakeTimeout:
                return StationError(.timedOut, "connecting to \(origin) timed out")
            case .readTimeout, .deadlineExceeded, .writeTimeout:
                return StationError(.timedOut, "the request to \(origin) timed out")
            case .remoteConnectionClosed:
                return StationError(.io, "\(origin) closed the connection before the response was complete")
            case .cancelled, .requestStreamCancelled:
                return StationError(.cancelled, "the request to \(origin) was cancelled")
            case .alreadyShutdown:
                return StationError(.cancelled, "the module's HTTP client has been shut down")
            default:
                return StationError(.io, "the request to \(origin) failed: \(client)")
            }
        }
        if error is NIOSSLError || error is NIOSSLExtraError || error is BoringSSLError {
            return StationError(.io, "the TLS connection to \(origin) failed (\(error)); if the server uses a private certificate authority, add it to the trusted CA files")
        }
        if error is HTTPParserError {
            return StationError(.io, "\(origin) sent a malformed HTTP response (\(error))")
        }
        if let io = error as? IOError {
            return StationError(.io, "the connection to \(origin) failed: \(io.description)")
        }
        if error is NIOConnectionError || error is ChannelError {
            return StationError(.io, "could not connect to \(origin): \(error)")
        }
        if error is CancellationError {
            return StationError(.cancelled, "the request to \(origin) was cancelled")
        }
        return StationError(.io, "the request to \(origin) failed: \(error)")
    }
}

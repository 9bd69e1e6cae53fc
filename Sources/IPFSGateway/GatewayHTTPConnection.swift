import NIOCore
import NIOHTTP1

/// Serves the requests of one HTTP connection, in order, until the peer closes it, asks to close
/// it, or a streamed body fails.
enum GatewayHTTPConnection {
    typealias Channel = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>

    static func serve(_ connection: Channel, handler: GatewayHTTPHandler) async {
        do {
            try await connection.executeThenClose { inbound, outbound in
                var pending: HTTPRequestHead?
                for try await part in inbound {
                    switch part {
                    case .head(let head):
                        pending = head
                    case .body:
                        continue  // gateway requests have no body; ignore one if sent
                    case .end:
                        guard let head = pending else { continue }
                        pending = nil
                        let keepAlive = try await answer(head, handler: handler, outbound)
                        if !keepAlive { return }
                    }
                }
            }
        } catch {
            // A failed body or a reset connection ends this connection only.
        }
    }

    /// Writes the reply to one request; returns whether the connection may carry another one.
    private static func answer(
        _ head: HTTPRequestHead, handler: GatewayHTTPHandler,
        _ outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>
    ) async throws -> Bool {
        let request = GatewayHTTPRequest(
            method: head.method.rawValue, target: head.uri,
            headers: head.headers.map { ($0.name, $0.value) })
        let reply = await handler(request)
        let isHead = head.method == .HEAD
        // HEAD replies carry no body and no length we could promise: close after them.
        let keepAlive = head.isKeepAlive && !isHead
        var headers = HTTPHeaders()
        for (name, value) in reply.headers where !hopByHop.contains(name.lowercased()) {
            headers.add(name: name, value: value)
        }
        headers.replaceOrAdd(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        if let fixed = reply.fixedBody {
            headers.replaceOrAdd(name: "Content-Length", value: String(fixed.count))
        } else if reply.streamedBody == nil {
            headers.replaceOrAdd(name: "Content-Length", value: "0")
        } else if isHead {
            // No body follows and its length is unknown: no framing header at all.
        } else if head.version.major == 1 && head.version.minor == 0 {
            // HTTP/1.0 has no chunked encoding: the end of the body is the end of the connection.
            headers.replaceOrAdd(name: "Connection", value: "close")
        } else {
            headers.replaceOrAdd(name: "Transfer-Encoding", value: "chunked")
        }
        let status = HTTPResponseStatus(statusCode: reply.status)
        try await outbound.write(.head(HTTPResponseHead(version: head.version, status: status, headers: headers)))
        if !isHead {
            if let fixed = reply.fixedBody, !fixed.isEmpty {
                try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: fixed))))
            } else if let body = reply.streamedBody {
                try await body { bytes in
                    guard !bytes.isEmpty else { return }
                    try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: bytes))))
                }
            }
        }
        try await outbound.write(.end(nil))
        let http10 = head.version.major == 1 && head.version.minor == 0
        return keepAlive && !(http10 && reply.fixedBody == nil && reply.streamedBody != nil)
    }

    private static let hopByHop: Set<String> = ["connection", "content-length", "transfer-encoding", "keep-alive"]
}

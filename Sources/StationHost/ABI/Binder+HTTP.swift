import SandboxEngine

/// The HTTP section of docs/abi.md.
extension Binder {
    /// `http_request_options` bit: do not follow redirects; a 3xx response is the response.
    static let httpManualRedirect: UInt32 = 1

    func http() -> [HostFunction] {
        let operations = self.operations
        /// The request both http_request and http_request_options describe (arguments 0–8).
        @Sendable func request(_ call: HostCall, _ args: ABIArguments, followRedirects: Bool) throws -> HTTPFetchRequest {
            try Self.memory(call) { memory in
                let method = try memory.stationString(args.u32(0), args.u32(1), what: "method")
                let url = try memory.stationString(args.u32(2), args.u32(3), what: "url")
                let headerText = try memory.stationString(args.u32(4), args.u32(5), what: "headers")
                let body = try memory.stationBytes(args.u32(6), args.u32(7), what: "request body")
                let headers = try HeaderLines.parse(headerText)
                let milliseconds = args.i64(8)
                return HTTPFetchRequest(
                    method: method.isEmpty ? "GET" : method, url: url, headers: headers, body: body,
                    timeout: milliseconds > 0 ? .milliseconds(milliseconds) : nil, followRedirects: followRedirects)
            }
        }
        return [
            function("http_request") { call, args in
                try operations.httpRequest(try request(call, args, followRedirects: true))
            },
            function("http_status") { _, args in
                Int32(try operations.httpStatus(handle: args.i32(0)))
            },
            function("http_headers") { call, args in
                let headers = try operations.httpHeaders(handle: args.i32(0))
                let text = Array(headers.map { "\($0.name): \($0.value)\r\n" }.joined().utf8)
                return try Self.memory(call) { memory in
                    try memory.stationCopyOut(text, to: args.u32(1), length: args.u32(2), what: "http_headers buffer")
                }
            },
            function("http_request_options") { call, args in
                let options = args.u32(9)
                // Unknown bits are refused, so a module written for a later ABI fails loudly here.
                guard options & ~Self.httpManualRedirect == 0 else {
                    throw StationError(.invalidArgument, "http_request_options: unknown option bits 0x\(String(options, radix: 16)) (known: 1 = do not follow redirects)")
                }
                return try operations.httpRequest(try request(call, args, followRedirects: options & Self.httpManualRedirect == 0))
            },
            function("http_url") { call, args in
                let url = Array(try operations.httpURL(handle: args.i32(0)).utf8)
                return try Self.memory(call) { memory in
                    try memory.stationCopyOut(url, to: args.u32(1), length: args.u32(2), what: "http_url buffer")
                }
            },
        ]
    }
}

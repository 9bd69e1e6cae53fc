import SandboxEngine

/// The HTTP section of docs/abi.md.
extension Binder {
    func http() -> [HostFunction] {
        let operations = self.operations
        return [
            function("http_request") { call, args in
                let request: HTTPFetchRequest = try Self.memory(call) { memory in
                    let method = try memory.stationString(args.u32(0), args.u32(1), what: "method")
                    let url = try memory.stationString(args.u32(2), args.u32(3), what: "url")
                    let headerText = try memory.stationString(args.u32(4), args.u32(5), what: "headers")
                    let body = try memory.stationBytes(args.u32(6), args.u32(7), what: "request body")
                    let headers = try HeaderLines.parse(headerText)
                    let milliseconds = args.i64(8)
                    return HTTPFetchRequest(
                        method: method.isEmpty ? "GET" : method, url: url, headers: headers, body: body,
                        timeout: milliseconds > 0 ? .milliseconds(milliseconds) : nil)
                }
                return try operations.httpRequest(request)
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
        ]
    }
}

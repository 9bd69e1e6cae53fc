/// HTTP operations: start a request, collect its status and headers (the body is read with
/// ``StationOperations/read(handle:into:)``).
extension StationOperations {
    /// Starts a request and returns its handle at once. Denied URLs fail here, before any I/O.
    public func httpRequest(_ request: HTTPFetchRequest) throws(StationError) -> Int32 {
        try handles.reserveCheck()
        let exchange = try fetcher().start(request, hub: hub)
        return try handles.insert(exchange)
    }

    /// The response status, once the head has arrived.
    public func httpStatus(handle: Int32) throws(StationError) -> Int {
        try handles.resource(handle, as: HTTPExchange.self, expected: "an http request").status()
    }

    /// The URL that answered (the last redirect's, if the runtime followed any), once the head
    /// has arrived.
    public func httpURL(handle: Int32) throws(StationError) -> String {
        try handles.resource(handle, as: HTTPExchange.self, expected: "an http request").url()
    }

    /// The response headers, once the head has arrived.
    public func httpHeaders(handle: Int32) throws(StationError) -> [(name: String, value: String)] {
        try handles.resource(handle, as: HTTPExchange.self, expected: "an http request").headers()
    }
}

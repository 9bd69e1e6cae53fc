import Foundation

/// One HTTP request and its response, as a handle resource (kind `http request`).
///
/// The response head (``status()``, ``headers()``) and the body (``read(into:)``) become available
/// as the exchange progresses; every change signals the module's ``ReadinessHub``. The body flows
/// through a bounded ``ByteChannel``: a module that stops reading stops the socket.
public final class HTTPExchange: ReadableResource, @unchecked Sendable {
    public var kind: String { "http request" }

    private struct Head {
        var status: Int
        var headers: [(name: String, value: String)]
        /// The URL that answered: the request's, or the last redirect's.
        var url: String
    }

    private let lock = NSLock()
    private let hub: ReadinessHub
    let body: ByteChannel
    private var head: Head?
    private var statusCollected = false
    private var failure: StationError?
    private var closed = false
    private var abortReason: StationError?
    private var task: Task<Void, Never>?

    init(hub: ReadinessHub, bodyBufferBytes: Int) {
        self.hub = hub
        body = ByteChannel(capacity: bodyBufferBytes, hub: hub)
    }

    // MARK: Module side

    /// The status code once the response head has arrived; throws `.wouldBlock` before, or the
    /// error the request failed with.
    public func status() throws(StationError) -> Int {
        let result: Result<Int, StationError> = lock.withLock {
            if let head {
                statusCollected = true
                return .success(head.status)
            }
            if let failure { return .failure(failure) }
            return .failure(.wouldBlock)
        }
        return try result.get()
    }

    /// The response headers in the order received (same readiness as ``status()``).
    public func headers() throws(StationError) -> [(name: String, value: String)] {
        let result: Result<[(name: String, value: String)], StationError> = lock.withLock {
            if let head { return .success(head.headers) }
            if let failure { return .failure(failure) }
            return .failure(.wouldBlock)
        }
        return try result.get()
    }

    /// The URL of the response (after the redirects the runtime followed), with the same
    /// readiness as ``status()``.
    public func url() throws(StationError) -> String {
        let result: Result<String, StationError> = lock.withLock {
            if let head { return .success(head.url) }
            if let failure { return .failure(failure) }
            return .failure(.wouldBlock)
        }
        return try result.get()
    }

    /// Reads response body bytes: the count, 0 at the end, `.wouldBlock` while nothing is
    /// buffered (or the head has not arrived), or the error that ended the exchange.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(StationError) -> Int {
        let early: StationError? = lock.withLock {
            if head != nil { return nil }
            return failure ?? .wouldBlock
        }
        if let early { throw early }
        return try body.read(into: buffer)
    }

    /// Ready when the exchange failed, the head arrived and ``status()`` was not called yet, or
    /// body bytes (or the end of the body) can be read.
    public var isReady: Bool {
        let state = lock.withLock { (failure != nil, head != nil && !statusCollected, head != nil) }
        if state.0 || state.1 { return true }
        return state.2 && body.isReadable
    }

    /// The error that ended the exchange, if any (for logs and tests).
    public var failureReason: StationError? { lock.withLock { failure } }

    /// Cancels the request (its connection is closed and released). Idempotent.
    public func close() {
        let wasClosed = lock.withLock {
            let was = closed
            closed = true
            return was
        }
        guard !wasClosed else { return }
        body.close()
        abort(StationError(.cancelled, "the request was cancelled because its handle was closed"))
    }

    // MARK: Driver side

    /// Installs the task that drives the exchange (cancelled by ``abort(_:)``).
    func attach(_ driver: Task<Void, Never>) {
        let cancelNow = lock.withLock {
            task = driver
            return abortReason != nil
        }
        if cancelNow { driver.cancel() }
    }

    /// Stops the exchange with `reason` (timeouts, shutdown, close): records why and cancels the
    /// driving task. The first reason wins.
    /// The module learns the reason at once (after any buffered body), even while the task is
    /// still parked waiting for the module to make room in the body buffer.
    func abort(_ reason: StationError) {
        let (driver, first): (Task<Void, Never>?, StationError) = lock.withLock {
            if abortReason == nil { abortReason = reason }
            return (task, abortReason ?? reason)
        }
        driver?.cancel()
        fail(first)
    }

    /// The reason given to ``abort(_:)``, which takes precedence over the error it provoked.
    var recordedAbortReason: StationError? { lock.withLock { abortReason } }

    /// The response head arrived.
    func deliverHead(status: Int, headers: [(name: String, value: String)], url: String = "") {
        lock.withLock { head = Head(status: status, headers: headers, url: url) }
        hub.signal()
    }

    /// The exchange failed: before the head, ``status()`` reports `error`; after it, reads do
    /// once the buffered body is consumed.
    func fail(_ error: StationError) {
        lock.withLock { if failure == nil && head == nil { failure = error } }
        body.fail(error)
        hub.signal()
    }

    /// The body ended cleanly.
    func finish() {
        body.finish()
    }
}

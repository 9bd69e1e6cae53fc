/// Something a handle refers to: an HTTP exchange, a stream, a listener...
///
/// Resources are created by operations and live in a module's ``HandleTable``. They are shared
/// between the module's thread and the event loops or tasks that drive them, so they must be
/// thread-safe. A resource calls its ``ReadinessHub``'s `signal()` whenever ``isReady`` may
/// have become true.
public protocol StationResource: AnyObject, Sendable {
    /// A word for messages, e.g. `http request` or `p2p stream`.
    var kind: String { get }
    /// Whether `poll` reports the handle: something can be done without blocking (data or the
    /// end to read, an answer to collect, an error to report).
    var isReady: Bool { get }
    /// Cancels outstanding work and releases everything. Called exactly once, when the module
    /// closes the handle or ends.
    func close()
}

/// A resource the module reads bytes from (response bodies, streams, content).
public protocol ReadableResource: StationResource {
    /// Copies up to `buffer.count` bytes into `buffer`. Returns the number copied (0 at the end of
    /// the data); throws ``StationError`` with `.wouldBlock` when nothing is available yet, or the
    /// error that ended the data.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(StationError) -> Int
}

/// A resource the module writes bytes to (streams).
public protocol WritableResource: StationResource {
    /// Accepts up to `bytes.count` bytes and returns how many were taken; throws `.wouldBlock`
    /// while the peer is not keeping up.
    func write(_ bytes: UnsafeRawBufferPointer) throws(StationError) -> Int
    /// Half-closes: no more writes; the other side sees the end of the data.
    func closeWrite() throws(StationError)
}

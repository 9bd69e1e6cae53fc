import Foundation

/// A bounded, thread-safe byte pipe from a producer (an event loop or task receiving network data)
/// to a module reading through a handle.
///
/// The producer appends chunks and waits while more than ``capacity`` bytes are buffered, so a
/// module that stops reading applies backpressure all the way to the socket and host memory stays
/// bounded. The consumer reads without blocking (``read(into:)`` throws `.wouldBlock`). Every state
/// change signals the module's ``ReadinessHub``.
public final class ByteChannel: @unchecked Sendable {
    /// Buffered bytes above which ``append(_:)`` waits.
    public let capacity: Int
    private let hub: ReadinessHub
    private let lock = NSLock()
    private var chunks: [[UInt8]] = []
    private var head = 0
    private var offsetInHead = 0
    private var buffered = 0
    private var finished = false
    private var failure: StationError?
    private var consumerClosed = false
    private var spaceWaiters: [UInt64: CheckedContinuation<Void, any Error>] = [:]
    private var nextWaiter: UInt64 = 0
    private var received = 0

    public init(capacity: Int = 256 << 10, hub: ReadinessHub) {
        self.capacity = max(1, capacity)
        self.hub = hub
    }

    // MARK: Producer side

    /// Appends bytes, first waiting while the buffer is full. Throws `CancellationError` when the
    /// consumer has closed its end (the producer should stop and release its source).
    public func append(_ bytes: [UInt8]) async throws {
        try await waitForSpace()
        guard !bytes.isEmpty else { return }
        let accepted: Bool = lock.withLock {
            if consumerClosed { return false }
            chunks.append(bytes)
            buffered += bytes.count
            received += bytes.count
            return true
        }
        guard accepted else { throw CancellationError() }
        hub.signal()
    }

    /// Waits until fewer than ``capacity`` bytes are buffered. Throws `CancellationError` when the
    /// consumer closed its end.
    public func waitForSpace() async throws {
        while true {
            let state: Bool? = lock.withLock {
                if consumerClosed { return nil }
                return buffered < capacity
            }
            guard let hasSpace = state else { throw CancellationError() }
            if hasSpace { return }
            try Task.checkCancellation()
            let id: UInt64 = lock.withLock {
                nextWaiter &+= 1
                return nextWaiter
            }
            try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                    let outcome: Result<Void, any Error>? = lock.withLock {
                        if consumerClosed || Task.isCancelled { return .failure(CancellationError()) }
                        if buffered < capacity { return .success(()) }
                        spaceWaiters[id] = continuation
                        return nil
                    }
                    if let outcome { continuation.resume(with: outcome) }
                }
            } onCancel: {
                // The producer's task was cancelled (timeout, shutdown): stop waiting at once.
                let waiter = lock.withLock { spaceWaiters.removeValue(forKey: id) }
                waiter?.resume(throwing: CancellationError())
            }
        }
    }

    /// Marks the end of the data: the consumer reads what is buffered, then 0.
    public func finish() {
        lock.withLock { finished = true }
        hub.signal()
    }

    /// Ends the data with an error: the consumer reads what is buffered, then gets `error`.
    public func fail(_ error: StationError) {
        lock.withLock {
            if !finished && failure == nil { failure = error }
        }
        hub.signal()
    }

    /// Total bytes appended so far.
    public var bytesReceived: Int { lock.withLock { received } }

    /// Whether the consumer closed its end.
    public var isClosedByConsumer: Bool { lock.withLock { consumerClosed } }

    // MARK: Consumer side

    /// Whether a read would not block: data buffered, the end reached, or an error pending.
    public var isReadable: Bool {
        lock.withLock { buffered > 0 || finished || failure != nil }
    }

    /// Whether the data ended (cleanly or with an error) and everything buffered has been read.
    public var isDrained: Bool {
        lock.withLock { buffered == 0 && (finished || failure != nil) }
    }

    /// Copies up to `buffer.count` buffered bytes. Returns 0 at the end of the data; throws
    /// `.wouldBlock` when nothing is buffered yet, or the failure that ended the data.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(StationError) -> Int {
        var waiters: [CheckedContinuation<Void, any Error>] = []
        let result: Result<Int, StationError> = lock.withLock {
            if buffered == 0 {
                if let failure { return .failure(failure) }
                if finished { return .success(0) }
                return .failure(.wouldBlock)
            }
            var copied = 0
            while copied < buffer.count, head < chunks.count {
                let chunk = chunks[head]
                let available = chunk.count - offsetInHead
                let take = min(available, buffer.count - copied)
                chunk.withUnsafeBytes { source in
                    buffer.baseAddress!.advanced(by: copied).copyMemory(
                        from: source.baseAddress!.advanced(by: offsetInHead), byteCount: take)
                }
                copied += take
                offsetInHead += take
                if offsetInHead == chunk.count {
                    head += 1
                    offsetInHead = 0
                }
            }
            buffered -= copied
            if head > 64 && head * 2 > chunks.count {
                chunks.removeFirst(head)
                head = 0
            }
            if buffered < capacity {
                waiters = Array(spaceWaiters.values)
                spaceWaiters = [:]
            }
            return .success(copied)
        }
        for waiter in waiters { waiter.resume() }
        return try result.get()
    }

    /// The consumer is done: drop buffered data and stop the producer.
    public func close() {
        let waiters: [CheckedContinuation<Void, any Error>] = lock.withLock {
            consumerClosed = true
            chunks = []
            head = 0
            offsetInHead = 0
            buffered = 0
            let waiting = Array(spaceWaiters.values)
            spaceWaiters = [:]
            return waiting
        }
        for waiter in waiters { waiter.resume(throwing: CancellationError()) }
    }
}

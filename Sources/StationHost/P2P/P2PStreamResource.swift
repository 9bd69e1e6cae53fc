import Foundation
import Libp2p
import NIOCore

/// A libp2p stream behind a handle: being opened (outbound), then readable and writable.
///
/// A reader task pumps the stream into a ``ByteChannel`` (bounded: a module that stops reading
/// stops the stream's flow-control window). Writes are queued up to ``writeCapacity`` bytes and
/// drained by a writer task; over that, `write` returns `would-block` and the handle becomes ready
/// again once the queue has room.
public final class P2PStreamResource: ReadableResource, WritableResource, @unchecked Sendable {
    public let kind = "p2p stream"
    /// Bytes a module may queue before `write` returns `would-block`.
    public let writeCapacity: Int
    private let hub: ReadinessHub
    private let incoming: ByteChannel
    private let lock = NSLock()
    private var stream: Libp2pStream?
    private var openFailure: StationError?
    private var pendingWrites: [[UInt8]] = []
    private var pendingBytes = 0
    private var writeClosed = false
    private var writeBlocked = false
    private var writeFailure: StationError?
    private var writerWaiting: CheckedContinuation<Void, Never>?
    private var tasks: [Task<Void, Never>] = []
    private var writer: Task<Void, Never>?
    private var closed = false

    /// How long a stream closed after `close_write` stays up so that the queued bytes, the
    /// half-close and the peer's reading of them can finish before it is reset.
    static let linger: Duration = .seconds(10)

    /// The peer on the other end, once open.
    public var remotePeer: PeerID? { lock.withLock { stream?.remotePeer } }

    init(hub: ReadinessHub, readCapacity: Int = 256 << 10, writeCapacity: Int = 256 << 10) {
        self.hub = hub
        self.writeCapacity = writeCapacity
        self.incoming = ByteChannel(capacity: readCapacity, hub: hub)
    }

    /// An outbound stream: `open` dials and negotiates; failures are reported through the handle.
    static func dialing(hub: ReadinessHub, open: @escaping @Sendable () async throws -> Libp2pStream) -> P2PStreamResource {
        let resource = P2PStreamResource(hub: hub)
        let task = Task {
            do {
                let stream = try await open()
                resource.attach(stream)
            } catch is CancellationError {
                resource.failOpen(StationError(.cancelled, "the stream was closed before it opened"))
            } catch {
                resource.failOpen(P2PErrors.translate(error, doing: "opening the stream"))
            }
        }
        resource.lock.withLock { resource.tasks.append(task) }
        return resource
    }

    /// An inbound stream, already negotiated.
    static func accepted(_ stream: Libp2pStream, hub: ReadinessHub) -> P2PStreamResource {
        let resource = P2PStreamResource(hub: hub)
        resource.attach(stream)
        return resource
    }

    private func attach(_ stream: Libp2pStream) {
        let accepted: Bool = lock.withLock {
            guard !closed else { return false }
            self.stream = stream
            let reader = Task { [incoming] in
                do {
                    while true {
                        try await incoming.waitForSpace()
                        guard let buffer = try await stream.read(max: 64 << 10) else { break }
                        try await incoming.append(Array(buffer.readableBytesView))
                    }
                    incoming.finish()
                } catch is CancellationError {
                    incoming.finish()
                } catch {
                    incoming.fail(P2PErrors.translate(error, doing: "reading"))
                }
            }
            let writer = Task { await self.drainWrites(to: stream) }
            self.writer = writer
            tasks += [reader, writer]
            return true
        }
        if !accepted { stream.reset() }
        hub.signal()
    }

    private func failOpen(_ error: StationError) {
        lock.withLock { openFailure = error }
        incoming.fail(error)
        hub.signal()
    }

    /// Whether the stream is open (outbound streams start unopened).
    public var isOpen: Bool { lock.withLock { stream != nil } }

    public var isReady: Bool {
        let (failed, writable) = lock.withLock {
            (openFailure != nil || writeFailure != nil, writeBlocked && pendingBytes < writeCapacity && stream != nil)
        }
        return failed || writable || incoming.isReadable
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(StationError) -> Int {
        try incoming.read(into: buffer)
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws(StationError) -> Int {
        let result: Result<Int, StationError> = lock.withLock {
            if let openFailure { return .failure(openFailure) }
            if let writeFailure { return .failure(writeFailure) }
            if writeClosed { return .failure(StationError(.invalidArgument, "the stream's writing side is closed")) }
            let room = writeCapacity - pendingBytes
            guard room > 0, stream != nil else {
                writeBlocked = true
                return .failure(.wouldBlock)
            }
            let take = min(room, bytes.count)
            if take > 0 {
                pendingWrites.append(Array(UnsafeRawBufferPointer(rebasing: bytes[0..<take])))
                pendingBytes += take
            }
            writeBlocked = false
            return .success(take)
        }
        wakeWriter()
        return try result.get()
    }

    public func closeWrite() throws(StationError) {
        let result: StationError? = lock.withLock {
            if let openFailure { return openFailure }
            if stream == nil { return StationError(.wouldBlock, "the stream is not open yet; poll it first") }
            writeClosed = true
            return nil
        }
        if let result { throw result }
        wakeWriter()
    }

    private func wakeWriter() {
        let waiter: CheckedContinuation<Void, Never>? = lock.withLock {
            defer { writerWaiting = nil }
            return writerWaiting
        }
        waiter?.resume()
    }

    private enum WriterStep {
        case write([UInt8])
        case finish
        case wait
    }

    private func nextWriterStep() -> WriterStep {
        lock.withLock {
            if closed { return .finish }
            if !pendingWrites.isEmpty { return .write(pendingWrites.removeFirst()) }
            return writeClosed ? .finish : .wait
        }
    }

    /// Sends queued writes in order, then the half-close when asked.
    private func drainWrites(to stream: Libp2pStream) async {
        while !Task.isCancelled {
            switch nextWriterStep() {
            case .write(let chunk):
                do {
                    try await stream.write(chunk)
                } catch {
                    lock.withLock { writeFailure = P2PErrors.translate(error, doing: "writing") }
                    hub.signal()
                    return
                }
                lock.withLock { pendingBytes -= chunk.count }
                hub.signal()
            case .finish:
                if lock.withLock({ !closed }) { try? await stream.closeWrite() }
                return
            case .wait:
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    lock.lock()
                    if !pendingWrites.isEmpty || writeClosed || closed {
                        lock.unlock()
                        continuation.resume()
                    } else {
                        writerWaiting = continuation
                        lock.unlock()
                    }
                }
            }
        }
    }

    /// Closes the handle. A stream whose writing side the module closed first (`close_write`) is
    /// not cut off: its queued bytes and the half-close still go out, and the stream is reset only
    /// after ``linger`` (the peer has read everything by then). Any other stream is reset at once.
    public func close() {
        let (stream, tasks, writer, waiter, linger): (Libp2pStream?, [Task<Void, Never>], Task<Void, Never>?, CheckedContinuation<Void, Never>?, Bool) = lock.withLock {
            let linger = writeClosed && writeFailure == nil && openFailure == nil && self.stream != nil && !closed
            if !linger { closed = true }
            let waiting = linger ? nil : writerWaiting
            if !linger { writerWaiting = nil }
            return (self.stream, self.tasks, self.writer, waiting, linger)
        }
        waiter?.resume()
        incoming.close()
        if linger, let stream, let writer {
            for task in tasks where task != writer { task.cancel() }
            Task { [self] in
                let end = ContinuousClock.now + Self.linger
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { await writer.value }
                    group.addTask { try? await Task.sleep(until: end, clock: .continuous) }
                    await group.next()
                    group.cancelAll()
                }
                try? await Task.sleep(until: end, clock: .continuous)
                lock.withLock { closed = true }
                writer.cancel()
                stream.reset()
            }
            return
        }
        for task in tasks { task.cancel() }
        stream?.reset()
    }
}

/// Turns libp2p errors into ABI errors with readable messages.
enum P2PErrors {
    static func translate(_ error: any Error, doing what: String) -> StationError {
        if let stationError = error as? StationError { return stationError }
        if error is CancellationError { return StationError(.cancelled, "cancelled while \(what)") }
        let text = "\(error)"
        if text.localizedCaseInsensitiveContains("timed out") || text.localizedCaseInsensitiveContains("timeout") {
            return StationError(.timedOut, "\(what) timed out: \(text)")
        }
        if text.localizedCaseInsensitiveContains("not supported") || text.contains("\"na\"") || text.localizedCaseInsensitiveContains("no protocol") {
            return StationError(.unsupported, "\(what): the peer does not support the protocol (\(text))")
        }
        return StationError(.io, "\(what) failed: \(text)")
    }
}

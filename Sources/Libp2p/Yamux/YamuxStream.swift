import NIOCore

/// The event-loop side of one Yamux stream: receive buffer and window, send window and queue,
/// half-close and reset state. Every member must be used on the session's event loop only.
final class YamuxStream: @unchecked Sendable {
    private enum PendingWrite {
        case data(ByteBuffer, EventLoopPromise<Void>?)
        case fin(EventLoopPromise<Void>?)
    }

    let id: UInt32
    let eventLoop: EventLoop
    private unowned let session: YamuxSession

    private var receiveQueue = CircularBuffer<ByteBuffer>()
    private(set) var bufferedBytes = 0
    /// Credit the remote still has (bytes it may send before our next window update).
    private var receiveCredit: UInt32 = YamuxConfiguration.initialWindow
    private var consumedSinceUpdate: UInt32 = 0
    /// The receive window: what the remote may have in flight plus what we buffer.
    private var window: UInt32 = YamuxConfiguration.initialWindow
    /// When we last granted window (the start of the current measuring epoch).
    private var previousUpdate = NIODeadline.now()
    /// How far growth took the window beyond its configured size (reserved on the session).
    private(set) var windowGrowth = 0
    private var sendWindow: UInt32 = YamuxConfiguration.initialWindow
    private var pendingWrites = CircularBuffer<PendingWrite>()
    private var pendingRead: (promise: EventLoopPromise<ByteBuffer?>, max: Int)?
    private var pendingFlags: YamuxFlags

    private(set) var remoteClosed = false
    private(set) var localClosed = false
    private var discardIncoming = false
    private(set) var terminalError: Libp2pError?
    private var removed = false

    init(id: UInt32, session: YamuxSession, eventLoop: EventLoop, outbound: Bool) {
        self.id = id
        self.session = session
        self.eventLoop = eventLoop
        pendingFlags = outbound ? .syn : .ack
    }

    /// Sends the opening window update (SYN for ours, ACK for theirs), granting any extra window.
    func open() {
        let target = max(session.configuration.receiveWindow, YamuxConfiguration.initialWindow)
        let extra = target - YamuxConfiguration.initialWindow
        window = target
        receiveCredit += extra
        previousUpdate = NIODeadline.now()
        session.send(YamuxFrame(type: .windowUpdate, flags: pendingFlags, streamID: id, length: extra), flush: true)
        pendingFlags = []
    }

    // MARK: Inbound frames

    /// Handles a data frame's payload; throws when the remote overran its window.
    func receive(data payload: ByteBuffer, flags: YamuxFlags) throws(Libp2pError) {
        let count = UInt32(payload.readableBytes)
        guard count <= receiveCredit else { throw .yamuxWindowExceeded(streamID: id) }
        receiveCredit -= count
        if count > 0 {
            if discardIncoming || terminalError != nil || remoteClosed {
                consumed(count)
            } else {
                receiveQueue.append(payload)
                bufferedBytes += Int(count)
            }
        }
        handle(flags: flags)
        deliverRead()
    }

    /// Handles a window update's delta and flags.
    func receive(windowDelta: UInt32, flags: YamuxFlags) throws(Libp2pError) {
        let (sum, overflow) = sendWindow.addingReportingOverflow(windowDelta)
        guard !overflow else { throw .yamuxProtocolError("window update overflows stream \(id)'s window") }
        sendWindow = sum
        handle(flags: flags)
        pump()
        deliverRead()
    }

    private func handle(flags: YamuxFlags) {
        if flags.contains(.rst) {
            terminate(.streamReset, discardBuffered: true)
            return
        }
        if flags.contains(.fin), !remoteClosed {
            remoteClosed = true
            removeIfDone()
        }
    }

    // MARK: Application side

    /// Reads up to `max` bytes; nil at end of stream.
    func read(max: Int) -> EventLoopFuture<ByteBuffer?> {
        let promise = eventLoop.makePromise(of: ByteBuffer?.self)
        guard pendingRead == nil else {
            promise.fail(Libp2pError.protocolViolation("concurrent reads on one stream"))
            return promise.futureResult
        }
        pendingRead = (promise, Swift.max(1, max))
        deliverRead()
        return promise.futureResult
    }

    /// Puts bytes back at the front of the receive queue (used after protocol negotiation).
    func unread(_ buffer: ByteBuffer) {
        guard buffer.readableBytes > 0 else { return }
        receiveQueue.prepend(buffer)
        bufferedBytes += buffer.readableBytes
    }

    private func deliverRead() {
        guard let (promise, max) = pendingRead else { return }
        if let terminalError, terminalError == .streamReset {
            pendingRead = nil
            promise.fail(terminalError)
            return
        }
        if var head = receiveQueue.first {
            let count = Swift.min(max, head.readableBytes)
            let slice = head.readSlice(length: count) ?? ByteBuffer()
            if head.readableBytes == 0 { receiveQueue.removeFirst() } else { receiveQueue[receiveQueue.startIndex] = head }
            bufferedBytes -= count
            pendingRead = nil
            consumed(UInt32(count))
            promise.succeed(slice)
            return
        }
        if remoteClosed {
            pendingRead = nil
            promise.succeed(nil)
            removeIfDone()
        } else if let terminalError {
            pendingRead = nil
            promise.fail(terminalError)
        }
    }

    private func consumed(_ count: UInt32) {
        consumedSinceUpdate += count
        guard consumedSinceUpdate >= window / 2, !remoteClosed, terminalError == nil else { return }
        var delta = consumedSinceUpdate
        let now = NIODeadline.now()
        if let roundTrip = session.roundTripTime,
           let grown = YamuxWindowTuning.grownWindow(
               current: window, maximum: session.configuration.maxReceiveWindow,
               sincePreviousUpdate: now - previousUpdate, roundTrip: roundTrip),
           session.reserveWindowGrowth(Int(grown - window)) {
            windowGrowth += Int(grown - window)
            delta += grown - window
            window = grown
        }
        previousUpdate = now
        receiveCredit += delta
        session.send(YamuxFrame(type: .windowUpdate, streamID: id, length: delta), flush: true)
        consumedSinceUpdate = 0
    }

    /// Bytes the remote may still send before our next window update.
    var remainingCredit: UInt32 { receiveCredit }

    /// The current receive window (for tests and diagnostics).
    var receiveWindow: UInt32 { window }

    /// Queues `buffer` for sending; the future completes once it has been written to the socket.
    func write(_ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        let promise = eventLoop.makePromise(of: Void.self)
        if let terminalError {
            promise.fail(terminalError)
        } else if localClosed {
            promise.fail(Libp2pError.streamClosedForWriting)
        } else {
            pendingWrites.append(.data(buffer, promise))
            pump()
        }
        return promise.futureResult
    }

    /// Half-closes our side (FIN after all queued data).
    func closeWrite() -> EventLoopFuture<Void> {
        let promise = eventLoop.makePromise(of: Void.self)
        if let terminalError {
            promise.fail(terminalError)
        } else if localClosed {
            promise.succeed()
        } else {
            localClosed = true
            pendingWrites.append(.fin(promise))
            pump()
        }
        return promise.futureResult
    }

    /// Half-closes and stops reading: later incoming data is dropped (its window returned).
    func close() -> EventLoopFuture<Void> {
        discardIncoming = true
        let dropped = UInt32(clamping: bufferedBytes)
        receiveQueue.removeAll()
        bufferedBytes = 0
        if dropped > 0 { consumed(dropped) }
        if let pendingRead {
            self.pendingRead = nil
            pendingRead.promise.succeed(nil)
        }
        if terminalError != nil { return eventLoop.makeSucceededFuture(()) }
        let future = closeWrite()
        removeIfDone()
        return future
    }

    /// Resets the stream: tells the remote and fails everything pending.
    func reset() {
        guard terminalError == nil else { return }
        session.send(YamuxFrame(type: .windowUpdate, flags: pendingFlags.union(.rst), streamID: id), flush: true)
        terminate(.streamReset, discardBuffered: true)
    }

    // MARK: Sending

    private func pump() {
        var wrote = false
        while let head = pendingWrites.first {
            switch head {
            case .fin(let promise):
                pendingWrites.removeFirst()
                session.send(YamuxFrame(type: .data, flags: pendingFlags.union(.fin), streamID: id), flush: false, promise: promise)
                pendingFlags = []
                wrote = true
                removeIfDone()
            case .data(var buffer, let promise):
                guard sendWindow > 0 else {
                    if wrote { session.flush() }
                    return
                }
                let count = Swift.min(Int(sendWindow), buffer.readableBytes, session.configuration.maxFramePayload)
                let chunk = buffer.readSlice(length: count) ?? ByteBuffer()
                sendWindow -= UInt32(count)
                let finished = buffer.readableBytes == 0
                if finished {
                    pendingWrites.removeFirst()
                } else {
                    pendingWrites[pendingWrites.startIndex] = .data(buffer, promise)
                }
                session.send(YamuxFrame(type: .data, flags: pendingFlags, streamID: id, payload: chunk), flush: false, promise: finished ? promise : nil)
                pendingFlags = []
                wrote = true
            }
        }
        if wrote { session.flush() }
    }

    // MARK: Termination

    /// Ends the stream with `error` (reset or connection loss).
    func terminate(_ error: Libp2pError, discardBuffered: Bool) {
        guard terminalError == nil else { return }
        terminalError = error
        if discardBuffered {
            receiveQueue.removeAll()
            bufferedBytes = 0
        }
        while let write = pendingWrites.popFirst() {
            switch write {
            case .data(_, let promise), .fin(let promise): promise?.fail(error)
            }
        }
        deliverRead()
        removed = true
        session.remove(self)
    }

    private func removeIfDone() {
        guard !removed, localClosed, remoteClosed, pendingWrites.isEmpty, receiveQueue.isEmpty || discardIncoming else { return }
        removed = true
        session.remove(self)
    }
}

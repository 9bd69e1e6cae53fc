import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a guest's standard output or error goes.
public protocol WASIOutputSink: AnyObject, Sendable {
    /// Takes `bytes` the guest wrote. Called on the instance's thread; may block.
    func write(_ bytes: UnsafeRawBufferPointer)
}

/// Writes everything to a host file descriptor (for example 1 or 2), waiting when it is full.
/// Write errors (a closed pipe) drop the output silently: the guest keeps running.
public final class FileDescriptorSink: WASIOutputSink {
    /// The host descriptor; not closed by the sink.
    public let fd: Int32

    public init(fd: Int32) {
        self.fd = fd
    }

    public func write(_ bytes: UnsafeRawBufferPointer) {
        guard var next = bytes.baseAddress else { return }
        var left = bytes.count
        while left > 0 {
            let written = Glibc.write(fd, next, left)
            if written > 0 {
                next += written
                left -= written
            } else if written < 0 && errno == EINTR {
                continue
            } else if written < 0 && errno == EAGAIN {
                var entry = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                _ = poll(&entry, 1, 100)
            } else {
                return
            }
        }
    }
}

/// Keeps the first `limit` bytes in memory and counts the rest, so a module that prints
/// megabytes per second stays bounded in memory. Thread-safe.
public final class CapturingSink: WASIOutputSink {
    /// The most bytes kept.
    public let limit: Int
    private let state = Mutex<(kept: [UInt8], dropped: UInt64)>(([], 0))

    public init(limit: Int) {
        self.limit = max(0, limit)
    }

    public func write(_ bytes: UnsafeRawBufferPointer) {
        state.withLock { state in
            let room = max(0, limit - state.kept.count)
            let take = min(room, bytes.count)
            if take > 0 { state.kept.append(contentsOf: bytes.prefix(take)) }
            state.dropped += UInt64(bytes.count - take)
        }
    }

    /// The bytes kept so far (at most ``limit``).
    public var bytes: [UInt8] { state.withLock { $0.kept } }

    /// The kept bytes decoded as UTF-8 (invalid sequences replaced).
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// How many bytes were written beyond ``limit`` and dropped.
    public var droppedByteCount: UInt64 { state.withLock { $0.dropped } }

    /// Every byte written, kept or dropped.
    public var totalByteCount: UInt64 { state.withLock { UInt64($0.kept.count) + $0.dropped } }
}

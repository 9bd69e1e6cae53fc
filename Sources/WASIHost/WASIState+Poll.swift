import SandboxEngine

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One decoded `subscription`.
private enum Subscription {
    case clock(userdata: UInt64, deadline: ContinuousClock.Instant)
    case clockError(userdata: UInt64, error: WASIErrno)
    case readWrite(userdata: UInt64, fd: UInt32, type: UInt8)
}

/// One `event` to report.
private struct PollEvent {
    var userdata: UInt64
    var error: WASIErrno = .success
    var type: UInt8
    var bytes: UInt64 = 0
    var hangup = false
}

/// `poll_oneoff`: clock subscriptions wait (in one sleep that the governor's deadline or stop request
/// ends); read/write subscriptions on regular files, directories, standard output and error are
/// ready at once; standard input is ready when it has data or is at end-of-file.
extension WASIState {
    func pollOneoff(_ memory: GuestMemory, subscriptions address: UInt32, events output: UInt32, count: UInt32, resultPointer: UInt32) throws {
        guard count > 0 else { throw WASIErrno.inval }
        guard count <= 4096 else { throw WASIErrno.inval }
        _ = try memory.checkedRange(address: UInt64(address), length: UInt64(count) * UInt64(WASIABI.Size.subscription))
        _ = try memory.checkedRange(address: UInt64(output), length: UInt64(count) * UInt64(WASIABI.Size.event))
        try requireWritable(memory, resultPointer, 4)

        let start = ContinuousClock.now
        var subscriptions: [Subscription] = []
        for index in 0..<count {
            subscriptions.append(try decodeSubscription(memory, at: address &+ index &* WASIABI.Size.subscription, now: start))
        }

        var events: [PollEvent] = []
        while true {
            events = try readyEvents(subscriptions, now: ContinuousClock.now)
            if !events.isEmpty { break }
            try checkGovernor()
            try waitBriefly(subscriptions)
        }

        for (index, event) in events.enumerated() {
            let at = output &+ UInt32(index) &* WASIABI.Size.event
            try memory.write([UInt8](repeating: 0, count: Int(WASIABI.Size.event)), at: at)
            try memory.store(event.userdata, at: at)
            try memory.store(event.error.rawValue, at: at &+ 8)
            try memory.store(event.type, at: at &+ 10)
            if event.type != WASIABI.EventType.clock {
                try memory.store(event.bytes, at: at &+ 16)
                try memory.store(event.hangup ? WASIABI.eventFDReadWriteHangup : 0, at: at &+ 24)
            }
        }
        try memory.store(UInt32(events.count), at: resultPointer)
    }

    private func decodeSubscription(_ memory: GuestMemory, at address: UInt32, now: ContinuousClock.Instant) throws -> Subscription {
        let userdata = try memory.load(UInt64.self, at: address)
        let tag = try memory.load(UInt8.self, at: address &+ 8)
        switch tag {
        case WASIABI.EventType.clock:
            let clock = try memory.load(UInt32.self, at: address &+ 16)
            let timeout = try memory.load(UInt64.self, at: address &+ 24)
            let flags = try memory.load(UInt16.self, at: address &+ 40)
            var wait = timeout
            if flags & WASIABI.subclockAbstime != 0 {
                do {
                    let current = try self.now(clock)
                    wait = timeout > current ? timeout - current : 0
                } catch {
                    return .clockError(userdata: userdata, error: error)
                }
            } else if clock > WASIABI.ClockID.threadCPUTime {
                return .clockError(userdata: userdata, error: .inval)
            }
            let capped = min(wait, UInt64(Int64.max / 2))
            return .clock(userdata: userdata, deadline: now.advanced(by: .nanoseconds(Int64(capped))))
        case WASIABI.EventType.fdRead, WASIABI.EventType.fdWrite:
            let fd = try memory.load(UInt32.self, at: address &+ 16)
            return .readWrite(userdata: userdata, fd: fd, type: tag)
        default:
            throw WASIErrno.inval
        }
    }

    private func readyEvents(_ subscriptions: [Subscription], now: ContinuousClock.Instant) throws -> [PollEvent] {
        var events: [PollEvent] = []
        for subscription in subscriptions {
            switch subscription {
            case .clock(let userdata, let deadline):
                if deadline <= now { events.append(PollEvent(userdata: userdata, type: WASIABI.EventType.clock)) }
            case .clockError(let userdata, let error):
                events.append(PollEvent(userdata: userdata, error: error, type: WASIABI.EventType.clock))
            case .readWrite(let userdata, let fd, let type):
                if let event = try readiness(userdata: userdata, fd: fd, type: type) { events.append(event) }
            }
        }
        return events
    }

    /// The event for a read/write subscription if it is ready now.
    private func readiness(userdata: UInt64, fd: UInt32, type: UInt8) throws -> PollEvent? {
        var event = PollEvent(userdata: userdata, type: type)
        guard let descriptor = table.entries[fd] else {
            event.error = .badf
            return event
        }
        let reading = type == WASIABI.EventType.fdRead
        switch descriptor.kind {
        case .standardInput:
            guard reading else { event.error = .badf; return event }
            switch stdinSource {
            case .none:
                event.hangup = true
            case .bytes(let bytes):
                event.bytes = UInt64(bytes.count - min(bytes.count, stdinPosition))
                event.hangup = event.bytes == 0
            case .fileDescriptor(let host):
                guard try pollReadable(host, timeout: .zero) else { return nil }
            }
        case .standardOutput:
            guard !reading else { event.error = .badf; return event }
        case .directory:
            break
        case .regularFile:
            if reading, let host = descriptor.host, let stat = try? host.stat() {
                let position = lseek(host.raw, 0, SEEK_CUR)
                if position >= 0, stat.size > UInt64(position) { event.bytes = stat.size - UInt64(position) }
            }
        }
        return event
    }

    /// Sleeps until the earliest clock deadline or standard input becoming readable (checked
    /// every 20 ms). With clocks only, the sleep is one wait that a stop request ends at once, so
    /// an idle module costs no wake-ups.
    private func waitBriefly(_ subscriptions: [Subscription]) throws {
        var slice: Duration = .seconds(3600)
        var watchStandardInput = false
        let now = ContinuousClock.now
        for subscription in subscriptions {
            switch subscription {
            case .clock(_, let deadline):
                slice = min(slice, max(.zero, deadline - now))
            case .readWrite(_, let fd, let type):
                if type == WASIABI.EventType.fdRead, let descriptor = table.entries[fd], case .standardInput = descriptor.kind {
                    watchStandardInput = true
                }
            case .clockError:
                slice = .zero
            }
        }
        if let remaining = governor?.remainingTime() { slice = min(slice, remaining) }
        if watchStandardInput, case .fileDescriptor(let host) = stdinSource {
            _ = try pollReadable(host, timeout: min(slice, .milliseconds(20)))
        } else if slice > .zero {
            if let governor {
                governor.sleep(for: slice)
            } else {
                Self.sleep(min(slice, .milliseconds(20)))
            }
        }
    }

    private static func sleep(_ duration: Duration) {
        let nanos = max(0, duration.nanoseconds)
        var request = timespec(tv_sec: Int(nanos / 1_000_000_000), tv_nsec: Int(nanos % 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR {
            request = remaining
        }
    }
}

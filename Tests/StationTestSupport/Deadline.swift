/// Thrown by ``withDeadline(_:_:_:)`` and ``waitUntil(_:_:_:)`` when the time is up.
public struct DeadlineExceeded: Error, CustomStringConvertible {
    /// What was being waited for.
    public let what: String

    public init(what: String) { self.what = what }

    public var description: String { "deadline exceeded: \(what)" }
}

/// Runs `operation`, failing with ``DeadlineExceeded`` if it has not finished after `seconds`.
///
/// A hang guard, not a performance assertion: pick a deadline many times the expected time, so a
/// loaded machine never fails a correct test.
public func withDeadline<T: Sendable>(
    _ seconds: Double, _ what: String = "operation", _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            return nil
        }
        guard let first = try await group.next(), let value = first else {
            group.cancelAll()
            throw DeadlineExceeded(what: what)
        }
        group.cancelAll()
        return value
    }
}

/// Checks `condition` every 20 ms until it holds, failing with ``DeadlineExceeded`` after `seconds`.
public func waitUntil(_ seconds: Double = 10, _ what: String, _ condition: @escaping @Sendable () async throws -> Bool) async throws {
    let clock = ContinuousClock()
    let end = clock.now + .seconds(seconds)
    while clock.now < end {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    throw DeadlineExceeded(what: what)
}

import Foundation
import NetworkAddresses
@testable import StationHost

/// A whole response collected from an ``HTTPExchange`` the way a module would: poll, read status,
/// then read the body until the end.
struct CollectedResponse {
    var status: Int
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// The safety net for tests that wait on an exchange: reached only when something hangs.
struct ExchangeWaitExpired: Error {}

enum ExchangeWait {
    /// Waits for the head, then reads the body to its end. Throws the exchange's `StationError`.
    static func response(_ exchange: HTTPExchange, safetyNet: Duration = .seconds(120)) async throws -> CollectedResponse {
        let start = ContinuousClock.now
        func checkExpired() throws {
            if ContinuousClock.now - start > safetyNet { throw ExchangeWaitExpired() }
        }
        var status: Int?
        while status == nil {
            switch Result(catching: { () throws(StationError) -> Int in try exchange.status() }) {
            case .success(let value):
                status = value
            case .failure(let error) where error.code == .wouldBlock:
                try checkExpired()
                try await Task.sleep(for: .milliseconds(2))
            case .failure(let error):
                throw error
            }
        }
        let headers = try exchange.headers()
        var body: [UInt8] = []
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 1)
        defer { buffer.deallocate() }
        reading: while true {
            switch Result(catching: { () throws(StationError) -> Int in try exchange.read(into: buffer) }) {
            case .success(0):
                break reading
            case .success(let count):
                body += buffer[0..<count]
            case .failure(let error) where error.code == .wouldBlock:
                try checkExpired()
                try await Task.sleep(for: .milliseconds(2))
            case .failure(let error):
                throw error
            }
        }
        return CollectedResponse(status: status ?? 0, headers: headers, body: body)
    }

    /// Reads the exchange to its end and returns the error it ended with (`nil` for a clean end).
    static func failure(of exchange: HTTPExchange, safetyNet: Duration = .seconds(120)) async throws -> StationError? {
        do {
            _ = try await response(exchange, safetyNet: safetyNet)
            return nil
        } catch let error as StationError {
            return error
        }
    }

    /// Polls `condition` until it holds or the safety net expires; returns whether it held.
    static func until(safetyNet: Duration = .seconds(120), _ condition: () -> Bool) async throws -> Bool {
        let start = ContinuousClock.now
        while !condition() {
            if ContinuousClock.now - start > safetyNet { return false }
            try await Task.sleep(for: .milliseconds(5))
        }
        return true
    }
}

/// A fixed name table standing in for DNS, to play a rebinding attacker's answers.
struct FixedHostResolver: HostResolving {
    var table: [String: [IPAddress]]

    func resolve(_ name: String) async throws -> [IPAddress] {
        guard let addresses = table[name] else { throw StationError(.io, "could not resolve \(name): unknown name") }
        return addresses
    }
}

/// Counts how many handler calls run at once and the highest count seen.
final class ConcurrencyMeter: @unchecked Sendable {
    private let lock = NSLock()
    private var current = 0
    private var highest = 0

    func enter() { lock.withLock { current += 1; highest = max(highest, current) } }
    func leave() { lock.withLock { current -= 1 } }
    var peak: Int { lock.withLock { highest } }
}

import Foundation

/// Runs blocking station operations (`poll`, reads) on their own thread, the way a module's
/// thread calls them, so tests never block Swift's cooperative thread pool (which the network
/// tasks they wait for need).
func onModuleThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            continuation.resume(with: Result { try body() })
        }
        thread.start()
    }
}

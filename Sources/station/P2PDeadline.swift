import Foundation

/// Ends the process with status 124 and one error line if a command runs past its deadline.
///
/// Network waits inside NIO futures do not react to task cancellation, so a hard deadline for a
/// one-shot command is simplest and most reliable as a process exit.
enum P2PDeadline {
    /// Starts the deadline; cancel the returned task when the command finishes in time.
    static func start(after limit: Duration, message: String) -> Task<Void, Never> {
        Task.detached {
            do {
                try await Task.sleep(for: limit)
            } catch {
                return
            }
            P2PSupport.reportLine(message)
            exit(124)
        }
    }
}

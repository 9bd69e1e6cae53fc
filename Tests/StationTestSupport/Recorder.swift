import Synchronization

/// A list that concurrent code (a `@Sendable` callback, a host function, another task) appends
/// to and a test reads afterwards.
public final class Recorder<Element: Sendable>: Sendable {
    private let items = Mutex<[Element]>([])

    /// An empty list.
    public init() {}

    /// Appends `item`.
    public func append(_ item: Element) { items.withLock { $0.append(item) } }

    /// Everything appended so far, in order.
    public var all: [Element] { items.withLock { $0 } }
}

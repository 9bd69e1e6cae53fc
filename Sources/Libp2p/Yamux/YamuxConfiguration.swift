/// Tunables of a Yamux session.
public struct YamuxConfiguration: Sendable {
    /// The window every stream starts with (fixed by the spec at 256 KiB).
    public static let initialWindow: UInt32 = 256 * 1024

    /// The receive window we grant each stream; above 256 KiB the extra is granted with the
    /// stream's first window update. It bounds the bytes buffered per stream.
    public var receiveWindow: UInt32 = 256 * 1024
    /// The most streams open at once on a connection (both directions); more inbound are reset.
    public var maxStreams: Int = 1024
    /// The largest payload we put in one data frame.
    public var maxFramePayload: Int = 64 * 1024

    /// Creates the default configuration.
    public init() {}
}

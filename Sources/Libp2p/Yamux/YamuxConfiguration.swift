import NIOCore

/// Tunables of a Yamux session.
public struct YamuxConfiguration: Sendable {
    /// The window every stream starts with (fixed by the spec at 256 KiB).
    public static let initialWindow: UInt32 = 256 * 1024

    /// The receive window we grant each stream at first; above 256 KiB the extra is granted with
    /// the stream's first window update. With growth (below) it bounds the bytes buffered per stream.
    public var receiveWindow: UInt32 = 256 * 1024
    /// The largest receive window a stream may grow to (go-libp2p and rust-libp2p also stop at
    /// 16 MiB). A stream's window doubles when it consumed half of it within four round trips of
    /// its previous window update (go-yamux's rule): then the window, not the reader, limits the
    /// throughput. Set it to `receiveWindow` to keep windows fixed.
    public var maxReceiveWindow: UInt32 = 16 * 1024 * 1024
    /// The most window that growth may add on one connection, summed over its streams; it bounds
    /// what one peer can make us buffer beyond `receiveWindow` per stream.
    public var maxConnectionWindowGrowth: Int = 64 * 1024 * 1024
    /// The most streams open at once on a connection (both directions); more inbound are reset.
    public var maxStreams: Int = 1024
    /// The largest payload we put in one data frame. Peers accept frames up to the window they
    /// granted (256 KiB at least); bigger frames mean fewer frames and reads per byte, while a
    /// frame of 256 KiB holds other streams back for well under a millisecond at loopback speed.
    public var maxFramePayload: Int = 256 * 1024

    /// Creates the default configuration.
    public init() {}
}

/// When a stream's receive window grows (see `YamuxConfiguration.maxReceiveWindow`).
enum YamuxWindowTuning {
    /// The doubled window (capped at `maximum`) if half of `current` was consumed less than four
    /// round trips after the previous window update; nil to keep the window.
    static func grownWindow(current: UInt32, maximum: UInt32, sincePreviousUpdate: TimeAmount, roundTrip: TimeAmount) -> UInt32? {
        guard maximum > current, roundTrip > .zero, sincePreviousUpdate < roundTrip * 4 else { return nil }
        return UInt32(min(UInt64(current) * 2, UInt64(maximum)))
    }
}

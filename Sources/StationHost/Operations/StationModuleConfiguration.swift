/// What one module may use through the station ABI, and how much.
public struct StationModuleConfiguration: Sendable {
    public var identity: StationIdentity
    /// Most handles open at once.
    public var maxHandles: Int = 1024
    /// Network grants; deny-all unless patterns are given.
    public var networkPolicy: NetworkPolicy = .denyAll
    /// Caps on HTTP traffic.
    public var networkLimits: NetworkLimits = NetworkLimits()
    /// The key-value database file; nil means the module has no key-value store (calls fail with
    /// `denied`).
    public var keyValuePath: String?
    /// Which libp2p protocols the module may dial and handle.
    public var p2p: P2PGrants = .none
    /// Whether the module may get, put and pin IPFS content.
    public var ipfs = false
    /// Caps for the key-value store.
    public var keyValueLimits: KeyValueStore.Limits = KeyValueStore.Limits()
    /// Activity messages allowed at once, then ``activityPerSecond``.
    public var activityBurst: Int = 20
    public var activityPerSecond: Double = 5

    public init(identity: StationIdentity) {
        self.identity = identity
    }
}

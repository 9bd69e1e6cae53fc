extension KeyValueStore {
    /// The caps one module's store enforces. The defaults match ABI v1 (`docs/abi.md`, `docs/kv.md`).
    public struct Limits: Sendable, Hashable {
        /// Most bytes the store may hold, counted as the sum of every key's and value's length.
        public var quotaBytes: UInt64 = 64 << 20
        /// Longest key, in bytes.
        public var maxKeyBytes = 1024
        /// Longest value, in bytes.
        public var maxValueBytes = 1 << 20
        /// Most keys one `list` call returns, whatever limit the caller asks for.
        public var maxListBatch = 1000

        /// The default limits: 64 MiB quota, 1 KiB keys, 1 MiB values, 1,000 keys per list.
        public init() {}
    }
}

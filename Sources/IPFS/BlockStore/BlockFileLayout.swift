import Multiformats

/// Where each piece of a block store lives on disk.
///
/// ```
/// ROOT/blocks/SS/KEY        block bytes; KEY = lowercase hex of the multihash, SS = its last 2 hex digits
/// ROOT/dags/SS/KEY.refs     every block of the DAG under a pinned root (text, one "KEY SIZE" per line)
/// ROOT/pins.json            the pins of every module (small, rewritten atomically)
/// ```
/// Blocks are keyed by multihash, not CID, so the same bytes named by a CIDv0 and a CIDv1 (or as raw
/// and dag-pb) are stored once. 256 shard directories keep directory sizes small.
struct BlockFileLayout: Sendable {
    /// The store's root directory.
    let root: String

    var blocksDirectory: String { root + "/blocks" }
    var dagsDirectory: String { root + "/dags" }
    var pinsFile: String { root + "/pins.json" }

    /// The storage key of a CID: lowercase hex of its multihash bytes.
    static func key(of cid: CID) -> String { Base16.encode(cid.multihash.bytes) }

    /// The shard directory name for a key (its last two hex digits).
    static func shard(of key: String) -> String { String(key.suffix(2)) }

    /// Every shard directory name ("00" ... "ff").
    static let allShards: [String] = (0 ..< 256).map { value in
        let text = String(value, radix: 16)
        return value < 16 ? "0" + text : text
    }

    func blockPath(key: String) -> String { "\(blocksDirectory)/\(Self.shard(of: key))/\(key)" }
    func refsPath(key: String) -> String { "\(dagsDirectory)/\(Self.shard(of: key))/\(key).refs" }
}

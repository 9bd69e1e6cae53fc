/// The bodies of the fuzz harnesses, one static function per input surface.
///
/// Each takes the raw input bytes, feeds them to the parser under test and throws
/// ``FuzzInvariantFailure`` when an invariant breaks; errors the parser reports for bad input are
/// the expected outcome and are swallowed. A trap (bounds, overflow, force unwrap) is a bug in the
/// code under test. Two drivers run them:
/// - the libFuzzer executables `Fuzz/<Name>/Fuzz<Name>.swift` (only with `STATION_FUZZ=1`, see
///   docs/fuzzing.md), which trap on a thrown failure so libFuzzer saves the input;
/// - `Tests/FuzzHarnessTests`, which runs every harness over its committed seed corpus
///   `Fuzz/Corpus/<Name>/` in the ordinary test suite.
///
/// Harnesses use public API only (no `@testable import`), so release fuzz builds need no
/// `-enable-testing`.
public enum Harness {
    /// One harness: its name (the libFuzzer target is `Fuzz<name>`, its seeds `Fuzz/Corpus/<name>`)
    /// and its body.
    public struct Entry: Sendable {
        public let name: String
        public let run: @Sendable ([UInt8]) async throws -> Void
    }

    /// Every harness. A new harness must be listed here, get a `Fuzz/<Name>` wrapper, a
    /// `fuzzTargets` line in Package.swift and seeds in `Fuzz/Corpus/<Name>` (the tests check the
    /// folders agree with this list).
    public static let all: [Entry] = [
        Entry(name: "Varint", run: { try Harness.varint($0) }),
        Entry(name: "Multibase", run: { try Harness.multibase($0) }),
        Entry(name: "CID", run: { try Harness.cid($0) }),
        Entry(name: "Multiaddr", run: { try Harness.multiaddr($0) }),
        Entry(name: "Protobuf", run: { try Harness.protobuf($0) }),
        Entry(name: "TOML", run: { try Harness.toml($0) }),
        Entry(name: "ConfigLoader", run: { try Harness.configLoader($0) }),
        Entry(name: "CAR", run: { try await Harness.car($0) }),
        Entry(name: "DagPB", run: { try Harness.dagPB($0) }),
        Entry(name: "GatewayRequest", run: { try Harness.gatewayRequest($0) }),
        Entry(name: "Bitswap", run: { try Harness.bitswap($0) }),
        Entry(name: "WAT", run: { try Harness.wat($0) }),
        Entry(name: "ModuleInfo", run: { try Harness.moduleInfo($0) }),
        Entry(name: "Multistream", run: { try Harness.multistream($0) }),
        Entry(name: "Yamux", run: { try Harness.yamux($0) }),
        Entry(name: "Libp2pMessages", run: { try Harness.libp2pMessages($0) }),
        Entry(name: "UnixFSExport", run: { try await Harness.unixFSExport($0) }),
        Entry(name: "NetworkPattern", run: { try Harness.networkPattern($0) }),
        Entry(name: "HostAuthority", run: { try Harness.hostAuthority($0) }),
        Entry(name: "StationABI", run: { try await Harness.stationABI($0) }),
        Entry(name: "WasmLoad", run: { try Harness.wasmLoad($0) }),
        Entry(name: "GatewayVerifier", run: { try await Harness.gatewayVerifier($0) }),
        Entry(name: "KVFile", run: { try Harness.kvFile($0) }),
        Entry(name: "Noise", run: { try Harness.noise($0) }),
    ]
}

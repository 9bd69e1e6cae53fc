// swift-tools-version:6.1
//
// Station Runtime: run untrusted WebAssembly "Station modules" behind hard limits.
//
// Layers (arrows point one way):
//   NetworkAddresses (IP addresses, classes, host[:port], the loopback rule) <- Libp2p, StationHost, StationConfig, StationStatus
//   Multiformats <- IPFS (blocks, block store, CAR, dag-pb, UnixFS, gateway semantics)
//   Multiformats <- Libp2p; IPFS, Libp2p <- Bitswap; Libp2p <- IPFSRouting (provider records, routing answers)
//   Units (sizes and durations as people write them) <- SandboxEngine, StationConfig, station
//   SandboxEngine (the engine port) <- WasmKitBackend / WasmtimeBackend, WASIHost <- Sandbox
//   Sandbox, Multiformats, Libp2p, IPFS, Bitswap, IPFSRouting <- StationHost (the station ABI: handles, poll, fetch, KV, events)
//   SandboxEngine <- StationConfig (TOML, manifests, validation, fair shares)
//   ListenerSupport (accept back-off for every listening socket) <- Libp2p, StationStatus
//   StationStatus (status API, dashboard, Prometheus metrics; knows nothing of the runtime)
//   StationConfig, StationStatus, StationHost, Sandbox <- StationDaemon (supervisor) <- station
//
// Developer aid: set STATION_TARGETS to a comma-separated list of target names to build and test
// only those targets and the targets they depend on (added by the filter below), e.g.
//   STATION_TARGETS=MultiformatsTests swift test --scratch-path .build-mf
// Leave it unset for the whole package (CI always builds everything).

import PackageDescription

let nio: Target.Dependency = .product(name: "NIOCore", package: "swift-nio")
let nioPosix: Target.Dependency = .product(name: "NIOPosix", package: "swift-nio")
let crypto: Target.Dependency = .product(name: "Crypto", package: "swift-crypto")
let logging: Target.Dependency = .product(name: "Logging", package: "swift-log")
let wasmKit: Target.Dependency = .product(name: "WasmKit", package: "WasmKit")
let wasmParser: Target.Dependency = .product(name: "WasmParser", package: "WasmKit")
let wat: Target.Dependency = .product(name: "WAT", package: "WasmKit")
let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")
let asyncHTTPClient: Target.Dependency = .product(name: "AsyncHTTPClient", package: "async-http-client")
let nioSSL: Target.Dependency = .product(name: "NIOSSL", package: "swift-nio-ssl")
let nioHTTP1: Target.Dependency = .product(name: "NIOHTTP1", package: "swift-nio")
let grdb: Target.Dependency = .product(name: "GRDB", package: "GRDB.swift")
let hummingbird: Target.Dependency = .product(name: "Hummingbird", package: "hummingbird")
let prometheus: Target.Dependency = .product(name: "Prometheus", package: "swift-prometheus")
let serviceLifecycle: Target.Dependency = .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
let nioHTTPTypes: Target.Dependency = .product(name: "NIOHTTPTypes", package: "swift-nio-extras")
let nioEmbedded: Target.Dependency = .product(name: "NIOEmbedded", package: "swift-nio")

var targets: [Target] = [
    // MARK: Content addressing and networking
    .target(name: "NetworkAddresses", dependencies: []),
    .target(name: "Multiformats", dependencies: [crypto]),
    .target(name: "ListenerSupport", dependencies: [nio]),
    .target(name: "Libp2p", dependencies: ["Multiformats", "NetworkAddresses", "ListenerSupport", nio, nioPosix, crypto, .product(name: "_CryptoExtras", package: "swift-crypto"), logging]),
    .target(name: "IPFS", dependencies: ["Multiformats"]),
    .target(name: "Bitswap", dependencies: ["IPFS", "Multiformats", "Libp2p", nio]),
    .target(name: "IPFSRouting", dependencies: ["Multiformats", "Libp2p"]),
    .target(name: "IPFSGateway", dependencies: ["IPFS", "Multiformats", nio, nioPosix, nioHTTP1, asyncHTTPClient]),

    // MARK: Sandbox
    .target(name: "Units", dependencies: []),
    .target(name: "SandboxEngine", dependencies: ["Units"]),
    .target(name: "WasmInstrumentation", dependencies: [wasmParser]),
    .target(name: "WasmKitBackend", dependencies: ["SandboxEngine", "Units", "WasmInstrumentation", wasmKit, wasmParser]),
    .target(name: "CWasmtime", dependencies: [], linkerSettings: [.linkedLibrary("dl")]),
    .target(name: "WasmtimeBackend", dependencies: ["SandboxEngine", "Units", "CWasmtime", crypto]),
    .target(name: "WASIHost", dependencies: ["SandboxEngine"]),
    .target(name: "Sandbox", dependencies: [
        "SandboxEngine", "Units", "WasmKitBackend", "WasmtimeBackend", "WASIHost", wasmParser, wat, crypto,
    ]),

    // MARK: The station ABI
    .target(name: "StationHost", dependencies: [
        "SandboxEngine", "Sandbox", "NetworkAddresses", "Multiformats", "Libp2p", "IPFS", "Bitswap", "IPFSRouting", "IPFSGateway", nio, nioPosix, asyncHTTPClient, nioSSL, nioHTTP1, grdb,
    ]),

    // MARK: The daemon
    .target(name: "StationConfig", dependencies: ["SandboxEngine", "Units", "NetworkAddresses"]),
    .target(name: "StationStatus", dependencies: ["ListenerSupport", "NetworkAddresses", hummingbird, nioHTTPTypes, prometheus, serviceLifecycle, nio, nioPosix, logging]),
    .target(name: "StationDaemon", dependencies: [
        "StationConfig", "StationStatus", "StationHost", "Sandbox", "SandboxEngine", "Units", "WASIHost", "Multiformats", "Libp2p", "IPFS",
        grdb, logging,
    ]),

    // MARK: Command line
    .executableTarget(name: "station", dependencies: ["Sandbox", "SandboxEngine", "Units", "WASIHost", "StationHost", "StationDaemon", "StationConfig", "StationStatus", "Libp2p", "IPFS", "Bitswap", "IPFSRouting", "IPFSGateway", "Multiformats", nio, nioPosix, argumentParser]),

    // MARK: Fuzz harness bodies (always built: FuzzHarnessTests runs them over Fuzz/Corpus; see docs/fuzzing.md)
    .target(name: "FuzzHarnesses", dependencies: ["Multiformats", "NetworkAddresses", "Libp2p", "IPFS", "Bitswap", "StationConfig", "Sandbox", "SandboxEngine", "StationHost", "WasmInstrumentation", nio, nioEmbedded, wasmParser], path: "Fuzz/Harnesses"),

    // MARK: Tests
    // Helpers every test target may share: temporary folders, deadlines, deterministic bytes.
    .target(name: "StationTestSupport", dependencies: [], path: "Tests/StationTestSupport"),
    .testTarget(name: "NetworkAddressesTests", dependencies: ["NetworkAddresses"]),
    .testTarget(name: "MultiformatsTests", dependencies: ["Multiformats"]),
    .testTarget(name: "Libp2pTests", dependencies: ["StationTestSupport", "Libp2p", "ListenerSupport", "Multiformats", nio, nioPosix, nioEmbedded, crypto, .product(name: "_CryptoExtras", package: "swift-crypto")], exclude: ["Peers"]),
    .testTarget(name: "IPFSTests", dependencies: ["StationTestSupport", "IPFS", "Bitswap", "IPFSRouting", "Multiformats", "Libp2p", nio, nioPosix, crypto], exclude: ["Tools"]),
    .testTarget(name: "IPFSGatewayTests", dependencies: ["StationTestSupport", "IPFSGateway", "IPFS", "Multiformats", nio, asyncHTTPClient]),
    .testTarget(name: "WasmInstrumentationTests", dependencies: ["WasmInstrumentation", wasmKit, wasmParser, wat]),
    .testTarget(name: "WasmtimeBackendTests", dependencies: ["StationTestSupport", "WasmtimeBackend", "SandboxEngine", wat]),
    .testTarget(name: "WASIHostTests", dependencies: ["StationTestSupport", "WASIHost", "SandboxEngine", "WasmKitBackend", "WasmtimeBackend", wat], exclude: ["Guests"]),
    .testTarget(name: "UnitsTests", dependencies: ["Units"]),
    .testTarget(name: "SandboxTests", dependencies: ["Sandbox", "SandboxEngine", "Units", "WASIHost", wat]),
    .testTarget(name: "StationHostTests", dependencies: ["StationTestSupport", "StationHost", "NetworkAddresses", "Sandbox", "SandboxEngine", "Libp2p", "IPFS", "IPFSGateway", "Bitswap", "Multiformats", "WASIHost", nio, nioPosix, nioHTTP1, nioSSL, grdb]),
    .testTarget(name: "StationConfigTests", dependencies: ["StationConfig", "SandboxEngine"]),
    .testTarget(name: "StationStatusTests", dependencies: ["StationTestSupport", "StationStatus", "ListenerSupport", nio, nioPosix, nioHTTP1, nioEmbedded, asyncHTTPClient, logging, hummingbird, .product(name: "HummingbirdTesting", package: "hummingbird")]),
    .testTarget(name: "StationDaemonTests", dependencies: ["StationDaemon", "StationConfig", "StationStatus", "StationHost", "SandboxEngine", "Multiformats", "IPFS", "Libp2p", nioPosix]),
    .testTarget(name: "StationCLITests", dependencies: ["StationTestSupport"], exclude: ["Fixtures"]),
    .testTarget(name: "FuzzHarnessTests", dependencies: ["FuzzHarnesses"]),
]

var products: [Product] = [
    .executable(name: "station", targets: ["station"]),
]

// MARK: Fuzz targets (only with STATION_FUZZ=1)
//
// libFuzzer harnesses for the parsers that read untrusted bytes, one executable per input surface
// (Fuzz/<Name>: a thin wrapper around `Harness.<name>` in FuzzHarnesses; seeds in
// Fuzz/Corpus/<Name>). Built and run by `scripts/fuzz`, which adds `-sanitize=fuzzer,address`; see
// docs/fuzzing.md. Absent unless STATION_FUZZ=1 (they need libFuzzer at link time); the bodies
// themselves run in `swift test` through FuzzHarnessTests. STATION_TARGETS can still pick a subset.
if Context.environment["STATION_FUZZ"] == "1" {
    let fuzzTargets = [
        "Varint", "Multibase", "CID", "Multiaddr", "Protobuf", "TOML", "ConfigLoader", "CAR", "DagPB",
        "GatewayRequest", "Bitswap", "WAT", "ModuleInfo", "Multistream", "Yamux", "Libp2pMessages",
        "UnixFSExport", "NetworkPattern", "HostAuthority", "StationABI", "WasmLoad", "GatewayVerifier", "KVFile", "Noise",
    ]
    targets.append(.target(name: "CFuzzSupport", path: "Fuzz/CFuzzSupport"))
    targets.append(.target(name: "FuzzSupport", dependencies: ["CFuzzSupport", "FuzzHarnesses"], path: "Fuzz/Support"))
    for name in fuzzTargets {
        // The harness file has no top-level code: libFuzzer's driver is the program (see FuzzSupport).
        targets.append(.executableTarget(
            name: "Fuzz" + name,
            dependencies: ["FuzzSupport", "FuzzHarnesses"],
            path: "Fuzz/" + name,
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ))
    }
}

if let subset = Context.environment["STATION_TARGETS"], !subset.isEmpty {
    // The named targets and every target they depend on, so a subset never misses a dependency.
    let byName = Dictionary(targets.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    var wanted = Set<String>()
    var pending = subset.split(separator: ",").map(String.init)
    while let name = pending.popLast() {
        guard wanted.insert(name).inserted, let target = byName[name] else { continue }
        for dependency in target.dependencies {
            switch dependency {
            case .targetItem(let name, _), .byNameItem(let name, _): pending.append(name)
            default: break
            }
        }
    }
    targets = targets.filter { wanted.contains($0.name) }
    products = wanted.contains("station") ? products : []
}

let package = Package(
    name: "StationRuntime",
    platforms: [.macOS(.v15)],
    products: products,
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swiftwasm/WasmKit", from: "0.4.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: targets
)

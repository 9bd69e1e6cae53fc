// swift-tools-version:6.0
//
// http-bench: the loopback HTTP server and the native AsyncHTTPClient loop that the module fetch
// benchmark (benchmarks/bench-http) compares `examples/c/fetch` against. A separate package so the
// main package's dependency graph stays untouched.
//
//   swift build -c release --package-path benchmarks/http --scratch-path .build-bench/http

import PackageDescription

let package = Package(
    name: "http-bench",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        .executableTarget(name: "http-bench", dependencies: [
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
    ]
)

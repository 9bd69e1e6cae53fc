import Foundation
import Libp2p
import Multiformats
import NIOCore
import NIOPosix
import Sandbox
import StationHost
import Testing

/// A real libp2p peer on loopback that echoes `/echo/1.0.0` streams (reads to the end, writes the
/// bytes back, half-closes).
func startEchoPeer() async throws -> (Libp2pHost, Multiaddr) {
    let peer = Libp2pHost(group: MultiThreadedEventLoopGroup.singleton)
    peer.setStreamHandler(protocol: "/echo/1.0.0") { stream in
        do {
            let all = try await stream.readAll(limit: 1 << 20)
            try await stream.write(all)
            try await stream.closeWrite()
        } catch {
            stream.reset()
        }
    }
    let bound = try await peer.listen(on: try Multiaddr("/ip4/127.0.0.1/tcp/0"))
    return (peer, bound.encapsulate(.p2p(peer.peerID.multihash)))
}

/// A module (operation layer) on its own listening node, handling `protocol`, and the address
/// (with `/p2p/`) a peer dials to reach it.
struct ListeningModule {
    let host: Libp2pHost
    let address: Multiaddr
    let node: SharedP2PNode
    let events: CollectingEventSink
    let operations: StationOperations
    let listener: Int32

    static func start(name: String, protocol protocolID: String) async throws -> ListeningModule {
        let host = Libp2pHost(group: MultiThreadedEventLoopGroup.singleton)
        let bound = try await host.listen(on: try Multiaddr("/ip4/127.0.0.1/tcp/0"))
        let node = SharedP2PNode(host: host)
        var configuration = StationModuleConfiguration(identity: StationIdentity(moduleName: name))
        configuration.p2p = P2PGrants(protocols: [protocolID])
        let events = CollectingEventSink()
        let operations = StationOperations(configuration: configuration, events: events, jobs: JobLedger(sink: events), p2pNode: node)
        let listener = try operations.p2pListen(protocol: protocolID)
        return ListeningModule(host: host, address: bound.encapsulate(.p2p(host.peerID.multihash)), node: node, events: events, operations: operations, listener: listener)
    }
}

@Suite("station ABI: libp2p streams on the shared node", .serialized)
struct P2PABITests {
    @Test("a module dials a real peer, writes, half-closes and reads the echo", arguments: abiEngines)
    func dialEcho(engine: EngineChoice) async throws {
        let (peer, address) = try await startEchoPeer()
        let node = SharedP2PNode(host: Libp2pHost(group: MultiThreadedEventLoopGroup.singleton))
        let text = address.description
        let body = """
            (local.set $h (call $p2p_dial (i32.const 1000) (i32.const \(text.utf8.count)) (i32.const 2000) (i32.const 11) (i64.const 10000)))
            (if (i32.lt_s (local.get $h) (i32.const 0)) (then (call $print_error) (return (local.get $h))))
            (block $sent (loop $retry
              (local.set $n (call $write (local.get $h) (i32.const 3000) (i32.const 5)))
              (br_if $sent (i32.eq (local.get $n) (i32.const 5)))
              (if (i32.ne (local.get $n) (i32.const -4)) (then (call $print_error) (return (i32.const -100))))
              \(pollOne)
              (br $retry)))
            (drop (call $close_write (local.get $h)))
            \(readToEnd)
            (call $print (i32.const 5000) (local.get $total))
            (drop (call $close (local.get $h)))
            (local.get $total)
            """
        let data = "(data (i32.const 1000) \"\(text)\") (data (i32.const 2000) \"/echo/1.0.0\") (data (i32.const 3000) \"hello\")"
        let run = try await runStation(
            stationModule(body, data: data, locals: "(local $h i32) (local $n i32) (local $total i32)"), engine: engine, p2pNode: node
        ) { config in
            config.p2p = P2PGrants(protocols: ["/echo/*"], allowPrivateAddresses: true)
        }
        await node.host.close()
        await peer.close()
        #expect(run.outcome.error == nil, "\(String(describing: run.outcome.error))")
        #expect(run.result == 5, "output: \(run.output)")
        #expect(run.output == "hello")
    }

    @Test("a module handles inbound streams on a granted protocol (operation layer)")
    func listenAndAccept() async throws {
        let module = try await ListeningModule.start(name: "server", protocol: "/greet/1.0.0")
        let (host, operations, listener) = (module.host, module.operations, module.listener)

        let client = Libp2pHost(group: MultiThreadedEventLoopGroup.singleton)
        let exchange = Task {
            let stream = try await client.newStream(to: module.address, protocol: "/greet/1.0.0")
            try await stream.write(Array("ping".utf8))
            try await stream.closeWrite()
            return String(buffer: try await stream.readAll(limit: 1024))
        }
        let ready = try await onModuleThread { try operations.poll([listener], timeout: .seconds(10)) }
        #expect(ready == [listener])
        let stream = try operations.p2pAccept(listener: listener)
        #expect(try operations.p2pRemotePeer(stream: stream) == client.peerID.description)
        let received = try await readAll(operations, stream)
        #expect(String(decoding: received, as: UTF8.self) == "ping")
        let written = try Array("pong".utf8).withUnsafeBytes { try operations.write(handle: stream, $0) }
        #expect(written == 4)
        try operations.closeWrite(handle: stream)
        #expect(try await exchange.value == "pong")

        // Only one module may handle a protocol id.
        let other = StationOperations(configuration: module.operations.configuration, events: module.events, jobs: JobLedger(sink: module.events), p2pNode: module.node)
        #expect(throws: StationError.self) { try other.p2pListen(protocol: "/greet/1.0.0") }
        // Closing the listener frees the id for others.
        try operations.close(handle: listener)
        let again = try other.p2pListen(protocol: "/greet/1.0.0")
        #expect(again > 0)
        operations.close()
        other.close()
        await client.close()
        await host.close()
    }

    @Test("close right after close_write still delivers every queued byte and the end of the data")
    func closeAfterCloseWriteLosesNothing() async throws {
        let module = try await ListeningModule.start(name: "sender", protocol: "/bulk/1.0.0")
        let (host, operations, listener) = (module.host, module.operations, module.listener)

        let client = Libp2pHost(group: MultiThreadedEventLoopGroup.singleton)
        let exchange = Task {
            let stream = try await client.newStream(to: module.address, protocol: "/bulk/1.0.0")
            try await stream.closeWrite()
            // Read slowly at first, so the module's queue is still full when it closes the handle.
            try await Task.sleep(for: .milliseconds(300))
            return try await stream.readAll(limit: 4 << 20).readableBytes
        }
        _ = try await onModuleThread { try operations.poll([listener], timeout: .seconds(10)) }
        let stream = try operations.p2pAccept(listener: listener)
        let payload = [UInt8](repeating: 0x5A, count: 200 << 10)
        let written = try payload.withUnsafeBytes { try operations.write(handle: stream, $0) }
        #expect(written == payload.count)
        try operations.closeWrite(handle: stream)
        try operations.close(handle: stream)
        #expect(try await exchange.value == payload.count)
        operations.close()
        await client.close()
        await host.close()
    }

    @Test("protocols not granted, built-in protocols and local peers are refused")
    func refusals() async throws {
        let node = SharedP2PNode(host: Libp2pHost(group: MultiThreadedEventLoopGroup.singleton))
        var configuration = StationModuleConfiguration(identity: StationIdentity(moduleName: "m"))
        configuration.p2p = P2PGrants(protocols: ["/mine/1.0.0", "/ipfs/*"])
        let events = CollectingEventSink()
        let operations = StationOperations(configuration: configuration, events: events, jobs: JobLedger(sink: events), p2pNode: node)
        #expect(throws: StationError.self) { try operations.p2pListen(protocol: "/other/1.0.0") }
        // Granted by a prefix, but the runtime itself handles ping.
        #expect(throws: StationError.self) { try operations.p2pListen(protocol: "/ipfs/ping/1.0.0") }
        for address in ["/ip4/127.0.0.1/tcp/4001", "/ip4/10.1.2.3/tcp/4001", "/ip6/::1/tcp/4001", "/ip6/::ffff:127.0.0.1/tcp/1", "/dns4/localhost/tcp/4001"] {
            do {
                _ = try operations.p2pDial(address: address, protocol: "/mine/1.0.0", timeout: nil)
                Issue.record("\(address) was not refused")
            } catch {
                #expect(error.code == .denied, "\(address): \(error)")
            }
        }
        #expect(throws: StationError.self) { try operations.p2pDial(address: "not a multiaddr", protocol: "/mine/1.0.0", timeout: nil) }
        operations.close()
        await node.host.close()
    }
}

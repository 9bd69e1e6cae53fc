import Crypto
import Multiformats
import NIOCore
import StationTestSupport
import Testing
@testable import Libp2p

/// Interop with py-libp2p 0.8.1 over loopback, in both directions.
@Suite(.serialized) struct PyLibp2pInteropTests {
    /// Starts a py-libp2p listener and returns it with its address.
    private func pyListener(key: String = "ed25519") async throws -> (PythonPeer, Multiaddr) {
        let peer = try PythonPeer(["listen", "--key", key])
        let line = try await peer.nextLine(within: 60)
        return (peer, try Multiaddr(line))
    }

    @Test func swiftDialsPyEchoPingIdentify() async throws {
        let (python, address) = try await pyListener()
        defer { python.stop() }
        let host = Libp2pHost(group: TestHosts.group)
        let stream = try await host.newStream(to: address, protocol: TestHosts.echoProtocol)
        let reply = try await withDeadline(60, "echo with py") { try await TestHosts.echoRoundTrip(stream, payload: Array("hello python".utf8)) }
        #expect(String(decoding: reply, as: UTF8.self) == "hello python")

        let connection = try #require(host.allConnections.first)
        let times = try await withDeadline(60, "ping py") { try await host.ping(connection, count: 3) }
        #expect(times.count == 3)

        let identify = try await withDeadline(60, "identify py") { try await host.identify(connection) }
        #expect(identify.protocols.contains(TestHosts.echoProtocol))
        #expect(identify.protocols.contains(Ping.protocolID))
        #expect(identify.publicKey.map { connection.remotePeer.matches($0) } == true)
        #expect(host.peerStore.record(for: connection.remotePeer)?.protocols.contains(Identify.protocolID) == true)
        await host.close()
    }

    @Test func swiftDialsPyWithSecp256k1Identity() async throws {
        let (python, address) = try await pyListener(key: "secp256k1")
        defer { python.stop() }
        let host = Libp2pHost(group: TestHosts.slowCryptoGroup)
        let connection = try await withDeadline(60, "connect") { try await host.connect(to: address) }
        #expect(connection.remotePublicKey.type == .secp256k1)
        #expect(connection.remotePeer.description.hasPrefix("16Uiu2"))
        await host.close()
    }

    @Test func swiftDialsPySixteenMebibytes() async throws {
        let (python, address) = try await pyListener()
        defer { python.stop() }
        let host = Libp2pHost(group: TestHosts.group)
        let payload = (0 ..< 16 * 1024 * 1024).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 13) }
        let stream = try await host.newStream(to: address, protocol: TestHosts.echoProtocol)
        let reply = try await withDeadline(300, "16 MiB echo with py") { try await TestHosts.echoRoundTrip(stream, payload: payload) }
        #expect(reply.count == payload.count)
        #expect(SHA256.hash(data: reply) == SHA256.hash(data: payload))
        await host.close()
    }

    @Test func swiftDialsPyHundredConcurrentStreams() async throws {
        let (python, address) = try await pyListener()
        defer { python.stop() }
        let host = Libp2pHost(group: TestHosts.group)
        let connection = try await host.connect(to: address)
        let matches = try await withDeadline(300, "100 streams with py") {
            try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0 ..< 100 {
                    group.addTask {
                        let stream = try await host.newStream(on: connection, protocols: [TestHosts.echoProtocol])
                        let payload = Array("py stream \(index) ".utf8) + [UInt8](repeating: UInt8(index), count: 500)
                        return try await TestHosts.echoRoundTrip(stream, payload: payload) == payload
                    }
                }
                var count = 0
                for try await match in group where match { count += 1 }
                return count
            }
        }
        #expect(matches == 100)
        #expect(host.allConnections.count == 1)
        await host.close()
    }

    /// Runs `py_peer.py dial` against a Swift listener and returns its JSON result.
    private func pyDials(_ command: String, _ argument: String = "", key: String = "ed25519") async throws -> [String: Any] {
        let (server, address) = try await TestHosts.listeningHost(group: key == "secp256k1" ? TestHosts.slowCryptoGroup : TestHosts.group)
        let python = try PythonPeer(["dial", address.description, command, argument, "--key", key])
        defer { python.stop() }
        let result = try await python.nextJSON(within: 300)
        await server.close()
        return result
    }

    @Test func pyDialsSwiftEcho() async throws {
        let result = try await pyDials("echo", "hello swift")
        #expect(result["echo"] as? String == "hello swift")
    }

    @Test func pyDialsSwiftWithSecp256k1Key() async throws {
        let result = try await pyDials("echo", "secp", key: "secp256k1")
        #expect(result["echo"] as? String == "secp")
    }

    @Test func pyDialsSwiftPing() async throws {
        let result = try await pyDials("ping", "3")
        #expect(result["pings"] as? Int == 3)
    }

    @Test func pyDialsSwiftIdentify() async throws {
        let result = try await pyDials("identify")
        let protocols = result["protocols"] as? [String] ?? []
        #expect(protocols.contains(TestHosts.echoProtocol))
        #expect(protocols.contains(Identify.protocolID))
        #expect(result["agent"] as? String == HostConfiguration().agentVersion)
        #expect(result["listen_addrs"] as? Int == 1)
    }

    @Test func pyDialsSwiftSixteenMebibytes() async throws {
        let result = try await pyDials("big", String(16 * 1024 * 1024))
        #expect(result["size"] as? Int == 16 * 1024 * 1024)
        #expect(result["match"] as? Bool == true)
    }

    @Test func pyDialsSwiftHundredStreams() async throws {
        let result = try await pyDials("many", "100")
        #expect(result["streams"] as? Int == 100)
        #expect(result["ok"] as? Int == 100)
    }
}

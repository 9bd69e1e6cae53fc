import Multiformats
import Testing
@testable import Libp2p

@Suite struct IdentifyMessageTests {
    @Test func roundTripsWithAndWithoutLengthPrefix() throws {
        let message = IdentifyMessage(
            publicKey: PrivateKey().publicKey,
            listenAddresses: [try Multiaddr("/ip4/127.0.0.1/tcp/4001"), try Multiaddr("/ip6/::1/tcp/4002")],
            protocols: ["/ipfs/id/1.0.0", "/ipfs/ping/1.0.0"],
            observedAddress: try Multiaddr("/ip4/10.0.0.1/tcp/5555"),
            protocolVersion: "ipfs/0.1.0",
            agentVersion: "station/test")
        #expect(try IdentifyMessage(decoding: message.encoded) == message)
        #expect(try IdentifyMessage(framedOrRaw: ProtobufWire.lengthPrefixed(message.encoded)) == message)
        #expect(try IdentifyMessage(framedOrRaw: message.encoded) == message)
    }

    @Test func skipsUnparsableAddressesAndRejectsBadKeys() throws {
        var writer = ProtobufWriter()
        writer.writeBytes(field: 2, [0xFF, 0xFF, 0xFF])
        writer.writeString(field: 3, "/x/1.0.0")
        let decoded = try IdentifyMessage(decoding: writer.bytes)
        #expect(decoded.listenAddresses.isEmpty)
        #expect(decoded.protocols == ["/x/1.0.0"])
        var badKey = ProtobufWriter()
        badKey.writeBytes(field: 1, [0x08, 0x01, 0x12, 0x02, 0, 0])
        #expect(throws: Libp2pError.self) { try IdentifyMessage(decoding: badKey.bytes) }
        #expect(throws: Libp2pError.self) { try IdentifyMessage(decoding: [UInt8](repeating: 0, count: IdentifyMessage.maxLength + 1)) }
    }
}

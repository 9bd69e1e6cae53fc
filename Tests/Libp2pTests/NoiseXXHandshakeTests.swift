import Crypto
import Testing
@testable import Libp2p

@Suite struct NoiseXXHandshakeTests {
    @Test func handshakeAgreesOnKeysAndPayloads() throws {
        let initiatorStatic = Curve25519.KeyAgreement.PrivateKey()
        let responderStatic = Curve25519.KeyAgreement.PrivateKey()
        var initiator = NoiseXXHandshake(role: .initiator, staticKey: initiatorStatic)
        var responder = NoiseXXHandshake(role: .responder, staticKey: responderStatic)
        try responder.readMessage1(try initiator.writeMessage1())
        let message2 = try responder.writeMessage2(payload: Array("from responder".utf8))
        #expect(try initiator.readMessage2(message2) == Array("from responder".utf8))
        let message3 = try initiator.writeMessage3(payload: Array("from initiator".utf8))
        #expect(try responder.readMessage3(message3) == Array("from initiator".utf8))
        #expect(initiator.remoteStatic?.rawRepresentation == responderStatic.publicKey.rawRepresentation)
        #expect(responder.remoteStatic?.rawRepresentation == initiatorStatic.publicKey.rawRepresentation)

        var (initiatorSend, initiatorReceive) = initiator.split()
        var (responderSend, responderReceive) = responder.split()
        let sealed = try initiatorSend.encrypt(ad: [UInt8](), plaintext: Array("hello".utf8))
        #expect(Array(try responderReceive.decrypt(ad: [UInt8](), message: sealed)) == Array("hello".utf8))
        let reply = try responderSend.encrypt(ad: [UInt8](), plaintext: Array("world".utf8))
        #expect(Array(try initiatorReceive.decrypt(ad: [UInt8](), message: reply)) == Array("world".utf8))
    }

    @Test func tamperedMessageFailsToDecrypt() throws {
        var initiator = NoiseXXHandshake(role: .initiator, staticKey: .init())
        var responder = NoiseXXHandshake(role: .responder, staticKey: .init())
        try responder.readMessage1(try initiator.writeMessage1())
        var message2 = try responder.writeMessage2(payload: [1, 2, 3])
        message2[40] ^= 0x01
        #expect(throws: Libp2pError.self) { try initiator.readMessage2(message2) }
        #expect(throws: Libp2pError.self) { try initiator.readMessage2([1, 2, 3]) }
    }

    @Test func replayedTransportMessageIsRejected() throws {
        var initiator = NoiseXXHandshake(role: .initiator, staticKey: .init())
        var responder = NoiseXXHandshake(role: .responder, staticKey: .init())
        try responder.readMessage1(try initiator.writeMessage1())
        _ = try initiator.readMessage2(try responder.writeMessage2(payload: []))
        _ = try responder.readMessage3(try initiator.writeMessage3(payload: []))
        var (send, _) = initiator.split()
        var (_, receive) = responder.split()
        let first = try send.encrypt(ad: [UInt8](), plaintext: [9])
        _ = try receive.decrypt(ad: [UInt8](), message: first)
        #expect(throws: Libp2pError.noiseDecryptionFailed) { try receive.decrypt(ad: [UInt8](), message: first) }
    }
}

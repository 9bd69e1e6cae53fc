import Multiformats
import Testing
@testable import Libp2p

@Suite struct PeerIDTests {
    @Test func ed25519PeerIDMatchesPyLibp2p() throws {
        let key = try PublicKey(type: .ed25519, data: Array(0 ..< 32))
        #expect(key.peerID.description == Vectors.ed25519PeerID)
        #expect(key.peerID.multihash.code == Multicodec.identity.rawValue)
        #expect(key.peerID.inlinedPublicKey == key)
    }

    @Test func secp256k1AndRSAPeerIDsMatchPyLibp2p() throws {
        #expect(try PublicKey(type: .secp256k1, data: Vectors.secp256k1PublicKey).peerID.description == Vectors.secp256k1PeerID)
        let rsa = try PublicKey(type: .rsa, data: Vectors.rsaPublicKey)
        #expect(rsa.peerID.description == Vectors.rsaPeerID)
        #expect(rsa.peerID.multihash.code == Multicodec.sha2_256.rawValue)
        #expect(rsa.peerID.inlinedPublicKey == nil)
    }

    @Test func parsesBase58AndCIDForms() throws {
        let peer = try PeerID(Vectors.ed25519PeerID)
        #expect(peer.base58 == Vectors.ed25519PeerID)
        let cidText = peer.cidString
        #expect(cidText.hasPrefix("b"))
        #expect(try PeerID(cidText) == peer)
        #expect(try PeerID(Vectors.rsaPeerID).description == Vectors.rsaPeerID)
    }

    @Test func rejectsInvalidText() {
        #expect(throws: Libp2pError.self) { try PeerID("") }
        #expect(throws: Libp2pError.self) { try PeerID("12D3KooW0OIl") }
        #expect(throws: Libp2pError.self) { try PeerID("bafkqaaa") }
        #expect(throws: Libp2pError.self) { try PeerID(String(repeating: "Q", count: 300)) }
    }
}

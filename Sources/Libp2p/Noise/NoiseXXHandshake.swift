import Crypto
import Foundation

/// The Noise XX handshake pattern (`-> e`, `<- e, ee, s, es`, `-> s, se`) over X25519,
/// ChaChaPoly and SHA-256, as a pure state machine with no I/O.
///
/// The initiator calls `writeMessage1`, `readMessage2`, `writeMessage3`; the responder calls
/// `readMessage1`, `writeMessage2`, `readMessage3`. Then `split()` gives the transport ciphers.
struct NoiseXXHandshake {
    /// Which side of the handshake we play.
    enum Role: Sendable { case initiator, responder }

    private static let keyLength = 32
    private static let encryptedKeyLength = 32 + NoiseCipherState.tagLength

    let role: Role
    private var symmetric = NoiseSymmetricState()
    private let staticKey: Curve25519.KeyAgreement.PrivateKey
    private let ephemeralKey: Curve25519.KeyAgreement.PrivateKey
    private var remoteEphemeral: Curve25519.KeyAgreement.PublicKey?
    /// The remote's static X25519 public key, known after message 2 (initiator) or 3 (responder).
    private(set) var remoteStatic: Curve25519.KeyAgreement.PublicKey?

    /// Creates a handshake with our static Noise key (and optionally a fixed ephemeral key, for tests).
    init(role: Role, staticKey: Curve25519.KeyAgreement.PrivateKey, ephemeralKey: Curve25519.KeyAgreement.PrivateKey = .init()) {
        self.role = role
        self.staticKey = staticKey
        self.ephemeralKey = ephemeralKey
    }

    /// Our static X25519 public key bytes.
    var localStaticPublicKey: [UInt8] { Array(staticKey.publicKey.rawRepresentation) }

    // MARK: Initiator

    /// `-> e` with an empty payload.
    mutating func writeMessage1() throws(Libp2pError) -> [UInt8] {
        let ephemeral = Array(ephemeralKey.publicKey.rawRepresentation)
        symmetric.mixHash(ephemeral)
        return ephemeral + (try symmetric.encryptAndHash([]))
    }

    /// `<- e, ee, s, es`: returns the responder's payload.
    mutating func readMessage2(_ message: [UInt8]) throws(Libp2pError) -> [UInt8] {
        guard message.count >= Self.keyLength + Self.encryptedKeyLength + NoiseCipherState.tagLength else {
            throw .noiseHandshakeFailed("message 2 is too short (\(message.count) bytes)")
        }
        let remoteE = try Self.publicKey(message[0 ..< Self.keyLength])
        remoteEphemeral = remoteE
        symmetric.mixHash(message[0 ..< Self.keyLength])
        symmetric.mixKey(try Self.dh(ephemeralKey, remoteE))
        let staticBytes = try symmetric.decryptAndHash(message[Self.keyLength ..< Self.keyLength + Self.encryptedKeyLength])
        let remoteS = try Self.publicKey(staticBytes[...])
        remoteStatic = remoteS
        symmetric.mixKey(try Self.dh(ephemeralKey, remoteS))
        return try symmetric.decryptAndHash(message[(Self.keyLength + Self.encryptedKeyLength)...])
    }

    /// `-> s, se` with our payload.
    mutating func writeMessage3(payload: [UInt8]) throws(Libp2pError) -> [UInt8] {
        guard let remoteEphemeral else { throw .noiseHandshakeFailed("message 3 before message 2") }
        let encryptedStatic = try symmetric.encryptAndHash(localStaticPublicKey)
        symmetric.mixKey(try Self.dh(staticKey, remoteEphemeral))
        return encryptedStatic + (try symmetric.encryptAndHash(payload))
    }

    // MARK: Responder

    /// `-> e`: reads the initiator's ephemeral key (its payload must be empty or is ignored).
    mutating func readMessage1(_ message: [UInt8]) throws(Libp2pError) {
        guard message.count >= Self.keyLength else {
            throw .noiseHandshakeFailed("message 1 is too short (\(message.count) bytes)")
        }
        remoteEphemeral = try Self.publicKey(message[0 ..< Self.keyLength])
        symmetric.mixHash(message[0 ..< Self.keyLength])
        _ = try symmetric.decryptAndHash(message[Self.keyLength...])
    }

    /// `<- e, ee, s, es` with our payload.
    mutating func writeMessage2(payload: [UInt8]) throws(Libp2pError) -> [UInt8] {
        guard let remoteEphemeral else { throw .noiseHandshakeFailed("message 2 before message 1") }
        let ephemeral = Array(ephemeralKey.publicKey.rawRepresentation)
        symmetric.mixHash(ephemeral)
        symmetric.mixKey(try Self.dh(ephemeralKey, remoteEphemeral))
        let encryptedStatic = try symmetric.encryptAndHash(localStaticPublicKey)
        symmetric.mixKey(try Self.dh(staticKey, remoteEphemeral))
        return ephemeral + encryptedStatic + (try symmetric.encryptAndHash(payload))
    }

    /// `-> s, se`: returns the initiator's payload.
    mutating func readMessage3(_ message: [UInt8]) throws(Libp2pError) -> [UInt8] {
        guard message.count >= Self.encryptedKeyLength + NoiseCipherState.tagLength else {
            throw .noiseHandshakeFailed("message 3 is too short (\(message.count) bytes)")
        }
        let staticBytes = try symmetric.decryptAndHash(message[0 ..< Self.encryptedKeyLength])
        let remoteS = try Self.publicKey(staticBytes[...])
        remoteStatic = remoteS
        symmetric.mixKey(try Self.dh(ephemeralKey, remoteS))
        return try symmetric.decryptAndHash(message[Self.encryptedKeyLength...])
    }

    // MARK: Completion

    /// The transport ciphers after the last message: (sending, receiving) for our role.
    func split() -> (send: NoiseCipherState, receive: NoiseCipherState) {
        let (initiatorToResponder, responderToInitiator) = symmetric.split()
        switch role {
        case .initiator: return (initiatorToResponder, responderToInitiator)
        case .responder: return (responderToInitiator, initiatorToResponder)
        }
    }

    private static func publicKey(_ bytes: ArraySlice<UInt8>) throws(Libp2pError) -> Curve25519.KeyAgreement.PublicKey {
        do {
            return try Curve25519.KeyAgreement.PublicKey(rawRepresentation: Array(bytes))
        } catch {
            throw .noiseHandshakeFailed("invalid X25519 public key")
        }
    }

    private static func dh(_ privateKey: Curve25519.KeyAgreement.PrivateKey, _ publicKey: Curve25519.KeyAgreement.PublicKey) throws(Libp2pError) -> [UInt8] {
        do {
            let secret = try privateKey.sharedSecretFromKeyAgreement(with: publicKey)
            return secret.withUnsafeBytes { Array($0) }
        } catch {
            throw .noiseHandshakeFailed("X25519 key agreement failed")
        }
    }
}

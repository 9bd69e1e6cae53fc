import Crypto
import Foundation

/// The Noise `SymmetricState` (Noise spec §5.2) for SHA-256: chaining key, handshake hash and
/// the cipher state used while the handshake runs.
struct NoiseSymmetricState {
    /// The libp2p Noise protocol name; exactly 32 bytes, so it is used as the initial hash unhashed.
    static let protocolName = "Noise_XX_25519_ChaChaPoly_SHA256"

    private(set) var chainingKey: [UInt8]
    private(set) var handshakeHash: [UInt8]
    private(set) var cipher = NoiseCipherState()

    /// Initializes with the protocol name (`InitializeSymmetric`) and mixes in an empty prologue.
    init() {
        let name = Array(Self.protocolName.utf8)
        let initial = name.count <= 32 ? name + [UInt8](repeating: 0, count: 32 - name.count) : Array(SHA256.hash(data: name))
        chainingKey = initial
        handshakeHash = initial
        mixHash([])
    }

    /// `MixHash`: h = SHA256(h || data).
    mutating func mixHash(_ data: some Collection<UInt8>) {
        var hasher = SHA256()
        hasher.update(data: handshakeHash)
        hasher.update(data: Array(data))
        handshakeHash = Array(hasher.finalize())
    }

    /// `MixKey`: derives a new chaining key and cipher key from a DH output.
    mutating func mixKey(_ inputKeyMaterial: some Collection<UInt8>) {
        let (newChainingKey, key) = Self.hkdf(chainingKey: chainingKey, inputKeyMaterial: Array(inputKeyMaterial))
        chainingKey = newChainingKey
        cipher.initializeKey(SymmetricKey(data: key))
    }

    /// `EncryptAndHash`.
    mutating func encryptAndHash(_ plaintext: [UInt8]) throws(Libp2pError) -> [UInt8] {
        let ciphertext = try cipher.encrypt(ad: handshakeHash, plaintext: plaintext)
        mixHash(ciphertext)
        return ciphertext
    }

    /// `DecryptAndHash`.
    mutating func decryptAndHash(_ ciphertext: ArraySlice<UInt8>) throws(Libp2pError) -> [UInt8] {
        let plaintext = try cipher.decrypt(ad: handshakeHash, message: ciphertext)
        mixHash(ciphertext)
        return Array(plaintext)
    }

    /// `Split`: the two transport cipher states (initiator-to-responder first).
    func split() -> (NoiseCipherState, NoiseCipherState) {
        let (first, second) = Self.hkdf(chainingKey: chainingKey, inputKeyMaterial: [])
        return (NoiseCipherState(key: SymmetricKey(data: first)), NoiseCipherState(key: SymmetricKey(data: second)))
    }

    /// The Noise HKDF with two outputs, built on HMAC-SHA256.
    static func hkdf(chainingKey: [UInt8], inputKeyMaterial: [UInt8]) -> ([UInt8], [UInt8]) {
        let tempKey = SymmetricKey(data: Array(HMAC<SHA256>.authenticationCode(for: inputKeyMaterial, using: SymmetricKey(data: chainingKey))))
        let output1 = Array(HMAC<SHA256>.authenticationCode(for: [0x01], using: tempKey))
        let output2 = Array(HMAC<SHA256>.authenticationCode(for: output1 + [0x02], using: tempKey))
        return (output1, output2)
    }
}

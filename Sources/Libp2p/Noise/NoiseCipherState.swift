import Crypto
import Foundation
import NIOCore

/// A Noise `CipherState` for ChaChaPoly: a key and a 64-bit nonce counter (Noise spec §5.1).
///
/// Nonces are 4 zero bytes followed by the counter in little-endian order.
struct NoiseCipherState {
    /// The ChaChaPoly authentication tag length.
    static let tagLength = 16

    private(set) var key: SymmetricKey?
    private(set) var nonce: UInt64 = 0

    /// Creates a cipher state, empty (pass-through) until a key is set.
    init(key: SymmetricKey? = nil) {
        self.key = key
    }

    /// True once a key is set and messages are encrypted.
    var hasKey: Bool { key != nil }

    /// Sets a new key and resets the nonce.
    mutating func initializeKey(_ key: SymmetricKey) {
        self.key = key
        nonce = 0
    }

    private mutating func nextNonce() throws(Libp2pError) -> ChaChaPoly.Nonce {
        guard nonce < UInt64.max else { throw .noiseHandshakeFailed("nonce space exhausted") }
        var bytes = [UInt8](repeating: 0, count: 12)
        var counter = nonce
        for index in 4 ..< 12 {
            bytes[index] = UInt8(truncatingIfNeeded: counter)
            counter >>= 8
        }
        nonce += 1
        do {
            return try ChaChaPoly.Nonce(data: bytes)
        } catch {
            throw .noiseHandshakeFailed("cannot build a nonce")
        }
    }

    /// Encrypts `plaintext` with associated data `ad`; without a key returns the plaintext.
    mutating func encrypt(ad: some DataProtocol, plaintext: some DataProtocol) throws(Libp2pError) -> [UInt8] {
        guard let key else { return Array(plaintext) }
        let nonce = try nextNonce()
        do {
            let box = try ChaChaPoly.seal(plaintext, using: key, nonce: nonce, authenticating: ad)
            var out = [UInt8]()
            out.reserveCapacity(box.ciphertext.count + Self.tagLength)
            out.append(contentsOf: box.ciphertext)
            out.append(contentsOf: box.tag)
            return out
        } catch {
            throw .noiseHandshakeFailed("encryption failed")
        }
    }

    /// Encrypts `plaintext` (no AD) and appends ciphertext then tag to `output`.
    mutating func encrypt(_ plaintext: UnsafeRawBufferPointer, appendingTo output: inout ByteBuffer) throws(Libp2pError) {
        guard let key else {
            output.writeBytes(plaintext)
            return
        }
        let nonce = try nextNonce()
        do {
            let box = try ChaChaPoly.seal(plaintext, using: key, nonce: nonce)
            output.writeBytes(box.ciphertext)
            output.writeBytes(box.tag)
        } catch {
            throw .noiseHandshakeFailed("encryption failed")
        }
    }

    /// Decrypts `message` (ciphertext followed by the 16-byte tag) with associated data `ad`;
    /// without a key returns the message unchanged.
    mutating func decrypt(ad: some DataProtocol, message: some Collection<UInt8>) throws(Libp2pError) -> Data {
        guard let key else { return Data(message) }
        guard message.count >= Self.tagLength else { throw .noiseDecryptionFailed }
        let nonce = try nextNonce()
        let bytes = Data(message)
        let split = bytes.count - Self.tagLength
        do {
            let box = try ChaChaPoly.SealedBox(nonce: nonce, ciphertext: bytes.prefix(split), tag: bytes.suffix(Self.tagLength))
            return try ChaChaPoly.open(box, using: key, authenticating: ad)
        } catch {
            throw .noiseDecryptionFailed
        }
    }

    /// Decrypts a transport message given as raw bytes (no AD).
    mutating func decrypt(_ message: UnsafeRawBufferPointer) throws(Libp2pError) -> Data {
        guard let key else { return Data(message) }
        guard message.count >= Self.tagLength else { throw .noiseDecryptionFailed }
        let nonce = try nextNonce()
        let split = message.count - Self.tagLength
        do {
            let box = try ChaChaPoly.SealedBox(
                nonce: nonce,
                ciphertext: UnsafeRawBufferPointer(rebasing: message[0 ..< split]),
                tag: UnsafeRawBufferPointer(rebasing: message[split...]))
            return try ChaChaPoly.open(box, using: key)
        } catch {
            throw .noiseDecryptionFailed
        }
    }
}

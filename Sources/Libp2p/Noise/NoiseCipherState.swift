import Crypto
import Foundation
import NIOCore
#if canImport(CCryptoBoringSSL)
// Not a product of swift-crypto, but built and linked with it on every platform where
// `Crypto` is backed by BoringSSL; the `#else` paths keep other platforms working.
internal import CCryptoBoringSSL
#endif

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
        #if canImport(CCryptoBoringSSL)
        transport = nil
        #endif
    }

    /// Takes the next nonce counter value (Noise forbids reusing one, and 2^64-1 is reserved).
    private mutating func nextCounter() throws(Libp2pError) -> UInt64 {
        guard nonce < UInt64.max else { throw .noiseHandshakeFailed("nonce space exhausted") }
        defer { nonce += 1 }
        return nonce
    }

    /// The 12-byte ChaChaPoly nonce for `counter`: 4 zero bytes, then the counter little-endian.
    private static func nonce(_ counter: UInt64) throws(Libp2pError) -> ChaChaPoly.Nonce {
        var bytes = [UInt8](repeating: 0, count: 12)
        var value = counter
        for index in 4 ..< 12 {
            bytes[index] = UInt8(truncatingIfNeeded: value)
            value >>= 8
        }
        do {
            return try ChaChaPoly.Nonce(data: bytes)
        } catch {
            throw .noiseHandshakeFailed("cannot build a nonce")
        }
    }

    private mutating func nextNonce() throws(Libp2pError) -> ChaChaPoly.Nonce {
        try Self.nonce(try nextCounter())
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
        let start = output.writerIndex
        output.writeBytes(plaintext)
        guard key != nil else { return }
        output.writeRepeatingByte(0, count: Self.tagLength)
        let offset = start - output.readerIndex
        try output.withUnsafeMutableReadableBytes { bytes throws(Libp2pError) in
            try sealInPlace(UnsafeMutableRawBufferPointer(rebasing: bytes[offset...]), plaintextLength: plaintext.count)
        }
    }

    /// Encrypts a transport message in place (no AD): the first `plaintextLength` bytes of
    /// `buffer` become ciphertext and the tag is written right after them, so `buffer` must hold
    /// `plaintextLength + tagLength` bytes. Without a key the bytes are left as they are.
    ///
    /// Sealing in the caller's memory is what keeps the send path at one copy (plaintext into
    /// the outgoing buffer); swift-crypto's `ChaChaPoly.seal` always allocates its own output.
    mutating func sealInPlace(_ buffer: UnsafeMutableRawBufferPointer, plaintextLength: Int) throws(Libp2pError) {
        guard let key else { return }
        guard plaintextLength >= 0, buffer.count >= plaintextLength + Self.tagLength else {
            throw .noiseHandshakeFailed("no room for the authentication tag")
        }
        let counter = try nextCounter()
        #if canImport(CCryptoBoringSSL)
        let aead = try transportContext(key)
        guard aead.seal(counter: counter, buffer: buffer, plaintextLength: plaintextLength) else {
            throw .noiseHandshakeFailed("encryption failed")
        }
        #else
        do {
            let box = try ChaChaPoly.seal(UnsafeRawBufferPointer(rebasing: buffer[..<plaintextLength]), using: key, nonce: Self.nonce(counter))
            let sealed = box.ciphertext + box.tag
            sealed.copyBytes(to: buffer, count: sealed.count)
        } catch {
            throw .noiseHandshakeFailed("encryption failed")
        }
        #endif
    }

    /// Decrypts a transport message (ciphertext then tag, no AD) straight into `output`, which
    /// must have room for `message.count - tagLength` bytes; returns the plaintext length.
    /// Without a key the message is copied unchanged.
    mutating func open(_ message: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws(Libp2pError) -> Int {
        guard let key else {
            guard output.count >= message.count else { throw .noiseDecryptionFailed }
            output.copyMemory(from: message)
            return message.count
        }
        guard message.count >= Self.tagLength else { throw .noiseDecryptionFailed }
        let plaintextLength = message.count - Self.tagLength
        guard output.count >= plaintextLength else { throw .noiseDecryptionFailed }
        let counter = try nextCounter()
        #if canImport(CCryptoBoringSSL)
        let aead = try transportContext(key)
        guard aead.open(counter: counter, message: message, into: output) else { throw .noiseDecryptionFailed }
        #else
        do {
            let box = try ChaChaPoly.SealedBox(
                nonce: Self.nonce(counter),
                ciphertext: UnsafeRawBufferPointer(rebasing: message[0 ..< plaintextLength]),
                tag: UnsafeRawBufferPointer(rebasing: message[plaintextLength...]))
            let plaintext = try ChaChaPoly.open(box, using: key)
            plaintext.copyBytes(to: output, count: plaintextLength)
        } catch {
            throw .noiseDecryptionFailed
        }
        #endif
        return plaintextLength
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
        var plaintext = [UInt8](repeating: 0, count: message.count)
        var outcome: Result<Int, Libp2pError> = .failure(.noiseDecryptionFailed)
        plaintext.withUnsafeMutableBytes { output in
            outcome = Result { () throws(Libp2pError) in try open(message, into: output) }
        }
        return Data(plaintext.prefix(try outcome.get()))
    }

    #if canImport(CCryptoBoringSSL)
    /// The keyed BoringSSL context for transport messages, set up on first use and kept (keying
    /// per message, as `ChaChaPoly` does, is wasted work for a long-lived session key).
    private var transport: ChaChaPolyContext?

    private mutating func transportContext(_ key: SymmetricKey) throws(Libp2pError) -> ChaChaPolyContext {
        if let transport { return transport }
        guard let created = ChaChaPolyContext(key: key) else { throw .noiseHandshakeFailed("cannot key ChaCha20-Poly1305") }
        transport = created
        return created
    }
    #endif
}

#if canImport(CCryptoBoringSSL)
/// ChaCha20-Poly1305 from the BoringSSL that swift-crypto builds on, used directly so transport
/// messages are sealed in place and opened straight into the destination buffer (the `Crypto`
/// API allocates a fresh `Data` per message and cannot work in place).
final class ChaChaPolyContext {
    private let context: OpaquePointer

    /// Keys a context; nil if BoringSSL refuses the key.
    init?(key: SymmetricKey) {
        let created = key.withUnsafeBytes { bytes in
            CCryptoBoringSSL_EVP_AEAD_CTX_new(
                CCryptoBoringSSL_EVP_aead_chacha20_poly1305(), bytes.bindMemory(to: UInt8.self).baseAddress, bytes.count,
                NoiseCipherState.tagLength)
        }
        guard let created else { return nil }
        context = OpaquePointer(created)
    }

    deinit {
        CCryptoBoringSSL_EVP_AEAD_CTX_free(UnsafeMutablePointer(context))
    }

    /// Runs `body` with the 12-byte Noise nonce for `counter` (4 zero bytes, then the counter in
    /// little-endian order), built on the stack.
    private func withNonce<Result>(_ counter: UInt64, _ body: (UnsafePointer<UInt8>) -> Result) -> Result {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 12) { nonce in
            var value = counter
            for index in 0 ..< 12 {
                if index < 4 {
                    nonce[index] = 0
                } else {
                    nonce[index] = UInt8(truncatingIfNeeded: value)
                    value >>= 8
                }
            }
            return body(UnsafePointer(nonce.baseAddress!))
        }
    }

    /// Encrypts the first `plaintextLength` bytes of `buffer` in place and writes the tag after them.
    func seal(counter: UInt64, buffer: UnsafeMutableRawBufferPointer, plaintextLength: Int) -> Bool {
        guard let base = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            return false
        }
        var written = 0
        let ok = withNonce(counter) { nonce in
            CCryptoBoringSSL_EVP_AEAD_CTX_seal(
                UnsafePointer(UnsafeMutablePointer(context)), base, &written, buffer.count, nonce, 12, base, plaintextLength, nil, 0)
        }
        return ok == 1 && written == plaintextLength + NoiseCipherState.tagLength
    }

    /// Authenticates and decrypts `message` (ciphertext then tag) into `output`.
    func open(counter: UInt64, message: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Bool {
        guard let input = message.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return false }
        // An empty output buffer may have no address; BoringSSL still needs a pointer.
        var scratch: UInt8 = 0
        var written = 0
        let ok = withUnsafeMutablePointer(to: &scratch) { fallback in
            let target = output.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? fallback
            return withNonce(counter) { nonce in
                CCryptoBoringSSL_EVP_AEAD_CTX_open(
                    UnsafePointer(UnsafeMutablePointer(context)), target, &written, output.count, nonce, 12, input, message.count, nil, 0)
            }
        }
        return ok == 1 && written == message.count - NoiseCipherState.tagLength
    }
}
#endif

import _CryptoExtras

/// RSA public keys from the network, read without swift-crypto's DER initializer.
///
/// Why by hand: swift-crypto 3.x's `_RSA.Signing.PublicKey(derRepresentation:)` frees its BoringSSL
/// key twice when the bytes are neither a SubjectPublicKeyInfo nor a PKCS#1 key (its initializer
/// frees the key, then throws, then its deinit frees it again), which aborts the process: any peer
/// could send such a key in a Noise handshake or an identify message and crash the host (found by
/// the Libp2pMessages fuzz target; fixed upstream in swift-crypto 4). So we parse the DER here,
/// strictly, and give swift-crypto only the modulus and exponent (`init(n:e:)`, whose failures
/// free nothing twice).
enum RSAPublicKeyDER {
    /// The smallest modulus we accept, as swift-crypto's DER initializer did.
    static let minimumBits = 2048

    /// The key in `der`: a SubjectPublicKeyInfo with the rsaEncryption algorithm (the libp2p
    /// form), or a bare PKCS#1 `RSAPublicKey`; nil for anything else or a modulus under 2048 bits.
    static func key(_ der: [UInt8]) -> _RSA.Signing.PublicKey? {
        guard let (n, e) = parameters(spki: der[...]) ?? parameters(pkcs1: der[...]) else { return nil }
        guard let key = try? _RSA.Signing.PublicKey(n: n, e: e), key.keySizeInBits >= minimumBits else { return nil }
        return key
    }

    /// rsaEncryption, 1.2.840.113549.1.1.1, as DER content bytes.
    private static let rsaEncryption: [UInt8] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01]

    /// SEQUENCE { SEQUENCE { OID rsaEncryption, NULL (optional) }, BIT STRING { RSAPublicKey } }.
    static func parameters(spki: ArraySlice<UInt8>) -> (n: [UInt8], e: [UInt8])? {
        var outer = DERReader(spki)
        guard var info = outer.read(tag: 0x30).map({ DERReader($0) }), outer.isAtEnd,
              var algorithm = info.read(tag: 0x30).map({ DERReader($0) }),
              algorithm.read(tag: 0x06).map(Array.init) == rsaEncryption
        else { return nil }
        if !algorithm.isAtEnd {
            guard algorithm.read(tag: 0x05)?.isEmpty == true, algorithm.isAtEnd else { return nil }
        }
        guard let bits = info.read(tag: 0x03), info.isAtEnd, bits.first == 0 else { return nil }
        return parameters(pkcs1: bits.dropFirst())
    }

    /// SEQUENCE { INTEGER n, INTEGER e }, both positive; returns their big-endian magnitudes.
    static func parameters(pkcs1: ArraySlice<UInt8>) -> (n: [UInt8], e: [UInt8])? {
        guard let (n, e) = DERReader.integerPair(pkcs1),
              let modulus = positiveInteger(n), let exponent = positiveInteger(e)
        else { return nil }
        return (modulus, exponent)
    }

    /// The magnitude of a DER INTEGER's content, nil when it is negative, zero or not minimal.
    private static func positiveInteger(_ content: ArraySlice<UInt8>) -> [UInt8]? {
        guard let first = content.first, first & 0x80 == 0 else { return nil }
        var magnitude = content
        if first == 0 {
            // A leading zero is only allowed (and required) before a byte with its high bit set.
            guard let second = content.dropFirst().first, second & 0x80 != 0 else { return nil }
            magnitude = content.dropFirst()
        }
        guard magnitude.contains(where: { $0 != 0 }) else { return nil }
        return Array(magnitude)
    }
}

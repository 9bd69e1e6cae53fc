import Crypto

/// ECDSA signature verification on secp256k1 with SHA-256, as libp2p's Secp256k1 keys use.
///
/// swift-crypto has no secp256k1, so this is a small, straightforward implementation over
/// `UInt256` (Jacobian coordinates, double-and-add). It verifies public signatures only, so it
/// is not constant-time; correctness over speed.
enum Secp256k1 {
    static let field = Modulus(value: UInt256(limbs: (0xFFFF_FFFE_FFFF_FC2F, 0xFFFF_FFFF_FFFF_FFFF, 0xFFFF_FFFF_FFFF_FFFF, 0xFFFF_FFFF_FFFF_FFFF)), pseudoMersenneConstant: 0x1_0000_03D1)
    static let order = Modulus(value: UInt256(limbs: (0xBFD2_5E8C_D036_4141, 0xBAAE_DCE6_AF48_A03B, 0xFFFF_FFFF_FFFF_FFFE, 0xFFFF_FFFF_FFFF_FFFF)))
    static let generator = Point(
        x: UInt256(limbs: (0x59F2_815B_16F8_1798, 0x029B_FCDB_2DCE_28D9, 0x55A0_6295_CE87_0B07, 0x79BE_667E_F9DC_BBAC)),
        y: UInt256(limbs: (0x9C47_D08F_FB10_D4B8, 0xFD17_B448_A685_5419, 0x5DA4_FBFC_0E11_08A8, 0x483A_DA77_26A3_C465)))

    /// An affine point on the curve.
    struct Point: Equatable {
        let x: UInt256
        let y: UInt256

        /// Decompresses a 33-byte SEC1 point (0x02/0x03 prefix); nil if invalid or not on the curve.
        init?(compressed bytes: [UInt8]) {
            guard bytes.count == 33, bytes[0] == 2 || bytes[0] == 3,
                  let x = UInt256(bigEndian: bytes[1...]), x < Secp256k1.field.value else { return nil }
            let f = Secp256k1.field
            let ySquared = f.add(f.multiply(f.multiply(x, x), x), UInt256(limbs: (7, 0, 0, 0)))
            // p ≡ 3 (mod 4), so a square root is y^((p+1)/4).
            let exponent = UInt256(limbs: (0xFFFF_FFFF_BFFF_FF0C, 0xFFFF_FFFF_FFFF_FFFF, 0xFFFF_FFFF_FFFF_FFFF, 0x3FFF_FFFF_FFFF_FFFF))
            var y = f.power(ySquared, exponent)
            guard f.multiply(y, y) == ySquared else { return nil }
            if y.isOdd != (bytes[0] == 3) { y = f.subtract(.zero, y) }
            self.x = x
            self.y = y
        }

        init(x: UInt256, y: UInt256) {
            self.x = x
            self.y = y
        }
    }

    /// A point in Jacobian coordinates (Z = 0 is the point at infinity).
    struct Jacobian {
        var x: UInt256, y: UInt256, z: UInt256
        static let infinity = Jacobian(x: .one, y: .one, z: .zero)
        init(x: UInt256, y: UInt256, z: UInt256) { self.x = x; self.y = y; self.z = z }
        init(_ point: Point) { self.init(x: point.x, y: point.y, z: .one) }
        var isInfinity: Bool { z.isZero }

        func doubled() -> Jacobian {
            let f = Secp256k1.field
            if isInfinity || y.isZero { return .infinity }
            let ySquared = f.multiply(y, y)
            let s = f.multiply(f.multiply(UInt256(limbs: (4, 0, 0, 0)), x), ySquared)
            let m = f.multiply(UInt256(limbs: (3, 0, 0, 0)), f.multiply(x, x))
            let newX = f.subtract(f.multiply(m, m), f.add(s, s))
            let eightY4 = f.multiply(UInt256(limbs: (8, 0, 0, 0)), f.multiply(ySquared, ySquared))
            let newY = f.subtract(f.multiply(m, f.subtract(s, newX)), eightY4)
            let newZ = f.multiply(f.add(y, y), z)
            return Jacobian(x: newX, y: newY, z: newZ)
        }

        func adding(_ other: Jacobian) -> Jacobian {
            let f = Secp256k1.field
            if isInfinity { return other }
            if other.isInfinity { return self }
            let z1z1 = f.multiply(z, z), z2z2 = f.multiply(other.z, other.z)
            let u1 = f.multiply(x, z2z2), u2 = f.multiply(other.x, z1z1)
            let s1 = f.multiply(f.multiply(y, other.z), z2z2)
            let s2 = f.multiply(f.multiply(other.y, z), z1z1)
            if u1 == u2 { return s1 == s2 ? doubled() : .infinity }
            let h = f.subtract(u2, u1), r = f.subtract(s2, s1)
            let hh = f.multiply(h, h), hhh = f.multiply(hh, h)
            let u1hh = f.multiply(u1, hh)
            let newX = f.subtract(f.subtract(f.multiply(r, r), hhh), f.add(u1hh, u1hh))
            let newY = f.subtract(f.multiply(r, f.subtract(u1hh, newX)), f.multiply(s1, hhh))
            let newZ = f.multiply(f.multiply(h, z), other.z)
            return Jacobian(x: newX, y: newY, z: newZ)
        }

        /// The affine x coordinate (only for a finite point).
        var affineX: UInt256 {
            let f = Secp256k1.field
            let zInverse = f.inverse(z)
            return f.multiply(x, f.multiply(zInverse, zInverse))
        }
    }

    /// `a·P + b·Q` by simultaneous double-and-add.
    static func linearCombination(_ a: UInt256, _ p: Point, _ b: UInt256, _ q: Point) -> Jacobian {
        let jp = Jacobian(p), jq = Jacobian(q), both = jp.adding(jq)
        var result = Jacobian.infinity
        for bitIndex in stride(from: 255, through: 0, by: -1) {
            result = result.doubled()
            switch (a.bit(bitIndex), b.bit(bitIndex)) {
            case (true, true): result = result.adding(both)
            case (true, false): result = result.adding(jp)
            case (false, true): result = result.adding(jq)
            case (false, false): break
            }
        }
        return result
    }

    /// Verifies a DER-encoded ECDSA signature of SHA-256(`message`) by a compressed public key.
    static func verify(compressedPublicKey: [UInt8], signatureDER: [UInt8], message: [UInt8]) -> Bool {
        guard let publicPoint = Point(compressed: compressedPublicKey),
              let (r, s) = DERSignature.parse(signatureDER),
              !r.isZero, !s.isZero, r < order.value, s < order.value,
              let hash = UInt256(bigEndian: Array(SHA256.hash(data: message)))
        else { return false }
        let z = order.reduce(hash)
        let w = order.inverse(s)
        let u1 = order.multiply(z, w), u2 = order.multiply(r, w)
        let sum = linearCombination(u1, generator, u2, publicPoint)
        guard !sum.isInfinity else { return false }
        return order.reduce(sum.affineX) == r
    }
}

/// Parses the DER `SEQUENCE { INTEGER r, INTEGER s }` of an ECDSA signature: lengths up to 255
/// bytes (a secp256k1 signature never needs more), non-negative integers of at most 32 bytes after
/// leading zeros (zero itself is left for the caller to refuse).
enum DERSignature {
    static func parse(_ bytes: [UInt8]) -> (UInt256, UInt256)? {
        guard bytes.count >= 8, let (r, s) = DERReader.integerPair(bytes[...], maxLengthBytes: 1),
              let rValue = integer(r), let sValue = integer(s)
        else { return nil }
        return (rValue, sValue)
    }

    private static func integer(_ content: ArraySlice<UInt8>) -> UInt256? {
        guard let first = content.first, first & 0x80 == 0 else { return nil }
        var body = content
        while body.count > 1, body.first == 0 { body = body.dropFirst() }
        return UInt256(bigEndian: body)
    }
}

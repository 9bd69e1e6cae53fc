/// A 256-bit unsigned integer as four little-endian 64-bit limbs, with just the arithmetic the
/// secp256k1 verifier needs. Not constant-time: it only ever handles public data.
struct UInt256: Equatable, Sendable {
    /// Limbs, least significant first.
    var limbs: (UInt64, UInt64, UInt64, UInt64)

    static let zero = UInt256(limbs: (0, 0, 0, 0))
    static let one = UInt256(limbs: (1, 0, 0, 0))

    init(limbs: (UInt64, UInt64, UInt64, UInt64)) { self.limbs = limbs }

    /// Parses up to 32 big-endian bytes (shorter input is left-padded); nil when longer.
    init?(bigEndian bytes: some Collection<UInt8>) {
        guard bytes.count <= 32 else { return nil }
        var words: [UInt64] = [0, 0, 0, 0]
        for (index, byte) in bytes.reversed().enumerated() {
            words[index / 8] |= UInt64(byte) << (8 * UInt64(index % 8))
        }
        limbs = (words[0], words[1], words[2], words[3])
    }

    static func ==(lhs: UInt256, rhs: UInt256) -> Bool { lhs.array == rhs.array }

    var array: [UInt64] { [limbs.0, limbs.1, limbs.2, limbs.3] }
    init(_ array: [UInt64]) { limbs = (array[0], array[1], array[2], array[3]) }

    var isZero: Bool { self == .zero }
    var isOdd: Bool { limbs.0 & 1 == 1 }

    /// Bit `index` (0 = least significant).
    func bit(_ index: Int) -> Bool { (array[index / 64] >> UInt64(index % 64)) & 1 == 1 }

    static func <(lhs: UInt256, rhs: UInt256) -> Bool {
        let a = lhs.array, b = rhs.array
        for index in stride(from: 3, through: 0, by: -1) where a[index] != b[index] {
            return a[index] < b[index]
        }
        return false
    }

    /// Sum and carry-out.
    static func adding(_ lhs: UInt256, _ rhs: UInt256) -> (UInt256, Bool) {
        let a = lhs.array, b = rhs.array
        var out = [UInt64](repeating: 0, count: 4)
        var carry: UInt64 = 0
        for index in 0 ..< 4 {
            let (s1, o1) = a[index].addingReportingOverflow(b[index])
            let (s2, o2) = s1.addingReportingOverflow(carry)
            out[index] = s2
            carry = (o1 ? 1 : 0) + (o2 ? 1 : 0)
        }
        return (UInt256(out), carry != 0)
    }

    /// Difference and borrow-out.
    static func subtracting(_ lhs: UInt256, _ rhs: UInt256) -> (UInt256, Bool) {
        let a = lhs.array, b = rhs.array
        var out = [UInt64](repeating: 0, count: 4)
        var borrow: UInt64 = 0
        for index in 0 ..< 4 {
            let (d1, o1) = a[index].subtractingReportingOverflow(b[index])
            let (d2, o2) = d1.subtractingReportingOverflow(borrow)
            out[index] = d2
            borrow = (o1 ? 1 : 0) + (o2 ? 1 : 0)
        }
        return (UInt256(out), borrow != 0)
    }

    /// The full 512-bit product as eight little-endian limbs.
    static func multipliedFull(_ lhs: UInt256, _ rhs: UInt256) -> [UInt64] {
        let a = lhs.array, b = rhs.array
        var out = [UInt64](repeating: 0, count: 8)
        for i in 0 ..< 4 {
            var carry: UInt64 = 0
            for j in 0 ..< 4 {
                let (high, low) = a[i].multipliedFullWidth(by: b[j])
                let (s1, o1) = out[i + j].addingReportingOverflow(low)
                let (s2, o2) = s1.addingReportingOverflow(carry)
                out[i + j] = s2
                carry = high &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
            }
            out[i + 4] = carry
        }
        return out
    }
}

/// Arithmetic modulo a 256-bit odd modulus, with a generic (slow, simple) reduction.
struct Modulus: Sendable {
    let value: UInt256
    /// When set, `value == 2^256 - pseudoMersenneConstant`, enabling a fast reduction.
    var pseudoMersenneConstant: UInt64? = nil

    /// `a mod m` for a 512-bit value given as eight little-endian limbs, by shift-and-subtract.
    func reduce(_ wide: [UInt64]) -> UInt256 {
        var remainder = UInt256.zero
        for bitIndex in stride(from: 511, through: 0, by: -1) {
            let top = remainder.limbs.3 >> 63 == 1
            let shifted = UInt256.adding(remainder, remainder).0
            let incoming = (wide[bitIndex / 64] >> UInt64(bitIndex % 64)) & 1
            remainder = UInt256(limbs: (shifted.limbs.0 | incoming, shifted.limbs.1, shifted.limbs.2, shifted.limbs.3))
            if top || !(remainder < value) {
                remainder = UInt256.subtracting(remainder, value).0
            }
        }
        return remainder
    }

    func reduce(_ a: UInt256) -> UInt256 { a < value ? a : UInt256.subtracting(a, value).0 }

    func add(_ a: UInt256, _ b: UInt256) -> UInt256 {
        let (sum, carry) = UInt256.adding(a, b)
        return carry || !(sum < value) ? UInt256.subtracting(sum, value).0 : sum
    }

    func subtract(_ a: UInt256, _ b: UInt256) -> UInt256 {
        let (difference, borrow) = UInt256.subtracting(a, b)
        return borrow ? UInt256.adding(difference, value).0 : difference
    }

    func multiply(_ a: UInt256, _ b: UInt256) -> UInt256 {
        let wide = UInt256.multipliedFull(a, b)
        guard let constant = pseudoMersenneConstant else { return reduce(wide) }
        return reducePseudoMersenne(wide, constant)
    }

    /// Reduces using 2^256 ≡ c (mod 2^256 - c): lo + hi·c, folded twice.
    private func reducePseudoMersenne(_ wide: [UInt64], _ c: UInt64) -> UInt256 {
        var acc = Array(wide[0 ..< 4])
        var carry: UInt64 = 0
        for index in 0 ..< 4 {
            let (high, low) = wide[4 + index].multipliedFullWidth(by: c)
            let (s1, o1) = acc[index].addingReportingOverflow(low)
            let (s2, o2) = s1.addingReportingOverflow(carry)
            acc[index] = s2
            carry = high + (o1 ? 1 : 0) + (o2 ? 1 : 0)
        }
        // Fold the fifth limb (carry < 2^34): carry·2^256 ≡ carry·c.
        var (high, low) = carry.multipliedFullWidth(by: c)
        var overflow = false
        for index in 0 ..< 4 {
            let addend = index == 0 ? low : (index == 1 ? high : 0)
            let (s1, o1) = acc[index].addingReportingOverflow(addend)
            let (s2, o2) = s1.addingReportingOverflow(overflow ? 1 : 0)
            acc[index] = s2
            overflow = o1 || o2
        }
        var result = UInt256(acc)
        if overflow {
            // The sum wrapped past 2^256 once more: add c again (cannot wrap a second time).
            (high, low) = (0, c)
            result = UInt256.adding(result, UInt256(limbs: (low, high, 0, 0))).0
        }
        return reduce(result)
    }

    func power(_ base: UInt256, _ exponent: UInt256) -> UInt256 {
        var result = UInt256.one
        for bitIndex in stride(from: 255, through: 0, by: -1) {
            result = multiply(result, result)
            if exponent.bit(bitIndex) { result = multiply(result, base) }
        }
        return result
    }

    /// The inverse by Fermat's little theorem (the modulus must be prime).
    func inverse(_ a: UInt256) -> UInt256 { power(a, UInt256.subtracting(value, UInt256(limbs: (2, 0, 0, 0))).0) }
}

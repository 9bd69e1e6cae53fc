/// Hand-assembled test modules, for sizes where going through WAT would be slow.
enum SyntheticModule {
    static func leb(_ value: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        var remaining = value
        repeat {
            var byte = UInt8(remaining & 0x7F)
            remaining >>= 7
            if remaining != 0 { byte |= 0x80 }
            bytes.append(byte)
        } while remaining != 0
        return bytes
    }

    static func section(_ id: UInt8, _ payload: [UInt8]) -> [UInt8] {
        [id] + leb(payload.count) + payload
    }

    static func vector(_ items: [[UInt8]]) -> [UInt8] {
        leb(items.count) + items.flatMap { $0 }
    }

    static let header: [UInt8] = [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00]

    /// `count` functions of type `() -> i32`: function k returns k; every `loopEvery`-th one wraps
    /// that in a `loop (result i32)`. The last one (index count) is exported as "last" and returns
    /// the sum of calling function 2 and function count-1.
    static func manyFunctions(count: Int, loopEvery: Int) -> [UInt8] {
        var bodies: [[UInt8]] = []
        bodies.reserveCapacity(count + 1)
        for index in 0..<count {
            var expression: [UInt8] = []
            let constant: [UInt8] = [0x41] + signedLEB(index)
            if index % loopEvery == 0 {
                expression = [0x03, 0x7F] + constant + [0x0B, 0x0B]
            } else {
                expression = constant + [0x0B]
            }
            let body: [UInt8] = [0x00] + expression
            bodies.append(leb(body.count) + body)
        }
        let caller: [UInt8] = [0x00, 0x10, 0x02, 0x10] + leb(count - 1) + [0x6A, 0x0B]
        bodies.append(leb(caller.count) + caller)
        var module = header
        module += section(1, vector([[0x60, 0x00, 0x01, 0x7F]]))
        module += section(3, vector(Array(repeating: [0x00], count: count + 1)))
        module += section(7, vector([[0x04] + Array("last".utf8) + [0x00] + leb(count)]))
        module += section(10, vector(bodies))
        return module
    }

    static func signedLEB(_ value: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        var remaining = value
        while true {
            let byte = UInt8(remaining & 0x7F)
            remaining >>= 7
            if (remaining == 0 && byte & 0x40 == 0) || (remaining == -1 && byte & 0x40 != 0) {
                bytes.append(byte)
                return bytes
            }
            bytes.append(byte | 0x80)
        }
    }
}

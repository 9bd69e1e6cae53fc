/// Key-value operations on the module's own store.
extension StationOperations {
    public func kvGet(_ key: [UInt8]) throws(StationError) -> [UInt8] {
        guard let value = try store().get(key) else {
            throw StationError(.notFound, "no value for key \(Self.describeKey(key))")
        }
        return value
    }

    public func kvPut(_ key: [UInt8], _ value: [UInt8]) throws(StationError) {
        try store().put(key, value)
    }

    public func kvDelete(_ key: [UInt8]) throws(StationError) {
        guard try store().delete(key) else {
            throw StationError(.notFound, "no value for key \(Self.describeKey(key))")
        }
    }

    public func kvList(prefix: [UInt8], after: [UInt8]?, limit: Int) throws(StationError) -> [[UInt8]] {
        try store().list(prefix: prefix, after: after, limit: limit)
    }

    static func describeKey(_ key: [UInt8]) -> String {
        if let text = String(validating: key, as: UTF8.self), text.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) {
            return "'\(text.prefix(100))'"
        }
        return "0x" + key.prefix(64).map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }
}

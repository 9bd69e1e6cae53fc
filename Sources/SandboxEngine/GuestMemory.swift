/// A bounds-checked view of a guest's linear memory, valid only for the duration of one host call.
///
/// Every address and length comes from untrusted guest code, so every accessor checks
/// `address + length <= size` without overflow before touching memory and throws
/// ``GuestMemoryError/outOfBounds(address:length:size:)`` otherwise. Multi-byte values are
/// little-endian, as WebAssembly defines them.
///
/// A `GuestMemory` must not be kept after the host call that produced it returns: a later
/// `memory.grow` may move the underlying storage.
public struct GuestMemory {
    /// The start of linear memory (nil when the memory is empty).
    public let base: UnsafeMutableRawPointer?
    /// The current size of linear memory in bytes.
    public let size: Int

    /// Wraps raw linear memory. Engine adapters create these; host functions receive them.
    public init(base: UnsafeMutableRawPointer?, size: Int) {
        self.base = base
        self.size = base == nil ? 0 : size
    }

    /// Checks that `[address, address + length)` lies inside memory and returns it as a range.
    @inlinable
    public func checkedRange(address: UInt64, length: UInt64) throws(GuestMemoryError) -> Range<Int> {
        let (end, overflow) = address.addingReportingOverflow(length)
        guard !overflow, end <= UInt64(size) else {
            throw .outOfBounds(address: address, length: length, size: size)
        }
        return Int(address)..<Int(end)
    }

    /// Calls `body` with the guest bytes `[address, address + length)`.
    public func withBytes<R>(
        at address: UInt32, count length: UInt32, _ body: (UnsafeRawBufferPointer) throws -> R
    ) throws -> R {
        let range = try checkedRange(address: UInt64(address), length: UInt64(length))
        guard let base, !range.isEmpty else { return try body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        return try body(UnsafeRawBufferPointer(start: base + range.lowerBound, count: range.count))
    }

    /// Calls `body` with the writable guest bytes `[address, address + length)`.
    public func withMutableBytes<R>(
        at address: UInt32, count length: UInt32, _ body: (UnsafeMutableRawBufferPointer) throws -> R
    ) throws -> R {
        let range = try checkedRange(address: UInt64(address), length: UInt64(length))
        guard let base, !range.isEmpty else { return try body(UnsafeMutableRawBufferPointer(start: nil, count: 0)) }
        return try body(UnsafeMutableRawBufferPointer(start: base + range.lowerBound, count: range.count))
    }

    /// Copies `length` guest bytes starting at `address`.
    public func bytes(at address: UInt32, count length: UInt32) throws(GuestMemoryError) -> [UInt8] {
        let range = try checkedRange(address: UInt64(address), length: UInt64(length))
        guard let base, !range.isEmpty else { return [] }
        return Array(UnsafeRawBufferPointer(start: base + range.lowerBound, count: range.count))
    }

    /// Decodes `length` guest bytes at `address` as UTF-8, replacing invalid sequences.
    public func string(at address: UInt32, count length: UInt32) throws(GuestMemoryError) -> String {
        String(decoding: try bytes(at: address, count: length), as: UTF8.self)
    }

    /// Copies `source` into guest memory at `address`.
    public func write(_ source: UnsafeRawBufferPointer, at address: UInt32) throws(GuestMemoryError) {
        let range = try checkedRange(address: UInt64(address), length: UInt64(source.count))
        guard let base, let from = source.baseAddress, !range.isEmpty else { return }
        (base + range.lowerBound).copyMemory(from: from, byteCount: range.count)
    }

    /// Copies `bytes` into guest memory at `address`.
    public func write(_ bytes: [UInt8], at address: UInt32) throws(GuestMemoryError) {
        let range = try checkedRange(address: UInt64(address), length: UInt64(bytes.count))
        guard let base, !range.isEmpty else { return }
        bytes.withUnsafeBytes { buffer in
            (base + range.lowerBound).copyMemory(from: buffer.baseAddress!, byteCount: range.count)
        }
    }

    /// Reads a little-endian integer at `address`.
    public func load<T: FixedWidthInteger>(_ type: T.Type = T.self, at address: UInt32) throws(GuestMemoryError) -> T {
        let range = try checkedRange(address: UInt64(address), length: UInt64(MemoryLayout<T>.size))
        guard let base else { throw .outOfBounds(address: UInt64(address), length: UInt64(MemoryLayout<T>.size), size: size) }
        return T(littleEndian: (base + range.lowerBound).loadUnaligned(as: T.self))
    }

    /// Writes a little-endian integer at `address`.
    public func store<T: FixedWidthInteger>(_ value: T, at address: UInt32) throws(GuestMemoryError) {
        let range = try checkedRange(address: UInt64(address), length: UInt64(MemoryLayout<T>.size))
        guard let base else { throw .outOfBounds(address: UInt64(address), length: UInt64(MemoryLayout<T>.size), size: size) }
        (base + range.lowerBound).storeBytes(of: value.littleEndian, as: T.self)
    }
}

/// A guest handed the host a pointer or length that does not fit its memory.
public enum GuestMemoryError: Error, Sendable, Hashable, CustomStringConvertible {
    case outOfBounds(address: UInt64, length: UInt64, size: Int)
    case noMemory

    public var description: String {
        switch self {
        case .outOfBounds(let address, let length, let size):
            "guest buffer at \(address) of \(length) bytes lies outside linear memory (\(size) bytes)"
        case .noMemory:
            "the module exports no linear memory named \"memory\""
        }
    }
}

import SandboxEngine

/// Reads a host call's arguments by position, as the ABI types them.
struct ABIArguments {
    let values: [WasmValue]

    /// An `i32` read as an unsigned 32-bit pointer or length.
    func u32(_ index: Int) -> UInt32 {
        guard index < values.count, case .i32(let value) = values[index] else { return 0 }
        return value
    }

    /// An `i32` read as a signed value (handles, levels).
    func i32(_ index: Int) -> Int32 { Int32(bitPattern: u32(index)) }

    /// An `i64` read as a signed value (timeouts).
    func i64(_ index: Int) -> Int64 {
        guard index < values.count, case .i64(let value) = values[index] else { return 0 }
        return Int64(bitPattern: value)
    }
}

/// Guest-memory helpers that turn bounds failures into `fault`.
extension GuestMemory {
    func stationBytes(_ address: UInt32, _ length: UInt32, what: String) throws(StationError) -> [UInt8] {
        do {
            return try bytes(at: address, count: length)
        } catch {
            throw StationError(.fault, "\(what): \(error)")
        }
    }

    func stationString(_ address: UInt32, _ length: UInt32, what: String) throws(StationError) -> String {
        let raw = try stationBytes(address, length, what: what)
        guard let text = String(validating: raw, as: UTF8.self) else {
            throw StationError(.invalidArgument, "\(what) is not valid UTF-8")
        }
        return text
    }

    /// The guest bytes `[address, address + length)` in place, at most `Int32.max` of them so a
    /// count always fits the i32 result (empty, with no base address, when `length` is 0).
    func stationBuffer(_ address: UInt32, _ length: UInt32, what: String) throws(StationError) -> UnsafeMutableRawBufferPointer {
        let range: Range<Int>
        do {
            range = try checkedRange(address: UInt64(address), length: UInt64(length))
        } catch {
            throw StationError(.fault, "\(what): \(error)")
        }
        let count = min(range.count, Int(Int32.max))
        guard count > 0, let base else { return UnsafeMutableRawBufferPointer(start: nil, count: 0) }
        return UnsafeMutableRawBufferPointer(start: base + range.lowerBound, count: count)
    }

    func stationCheckWritable(_ address: UInt32, _ length: UInt32, what: String) throws(StationError) {
        do {
            _ = try checkedRange(address: UInt64(address), length: UInt64(length))
        } catch {
            throw StationError(.fault, "\(what): \(error)")
        }
    }

    /// The copy-out convention: copies `min(length, bytes.count)` bytes and returns the full size.
    func stationCopyOut(_ bytes: [UInt8], to address: UInt32, length: UInt32, what: String) throws(StationError) -> Int32 {
        try stationCheckWritable(address, length, what: what)
        let count = min(Int(length), bytes.count)
        if count > 0 {
            do {
                try bytes.withUnsafeBytes { buffer in
                    try write(UnsafeRawBufferPointer(rebasing: buffer[0..<count]), at: address)
                }
            } catch {
                throw StationError(.fault, "\(what): \(error)")
            }
        }
        return Int32(clamping: bytes.count)
    }
}

/// One top-level section of a module, located by absolute byte offsets.
struct RawSection {
    /// Section id (0 = custom, 1 = type, ... 13 = tag).
    let id: UInt8
    /// Absolute offset of the first payload byte.
    let payloadStart: Int
    /// Absolute offset one past the last payload byte.
    let payloadEnd: Int

    /// Position in the order the binary format requires; custom sections have none.
    var orderRank: Int? { SectionID.orderRank(of: id) }
}

/// Section ids and their required order.
enum SectionID {
    static let custom: UInt8 = 0
    static let type: UInt8 = 1
    static let `import`: UInt8 = 2
    static let function: UInt8 = 3
    static let table: UInt8 = 4
    static let memory: UInt8 = 5
    static let global: UInt8 = 6
    static let export: UInt8 = 7
    static let start: UInt8 = 8
    static let element: UInt8 = 9
    static let code: UInt8 = 10
    static let data: UInt8 = 11
    static let dataCount: UInt8 = 12
    static let tag: UInt8 = 13

    /// The rank of a known section in the mandated order (tag sits between memory and global,
    /// data count between element and code).
    static func orderRank(of id: UInt8) -> Int? {
        switch id {
        case type: return 1
        case `import`: return 2
        case function: return 3
        case table: return 4
        case memory: return 5
        case tag: return 6
        case global: return 7
        case export: return 8
        case start: return 9
        case element: return 10
        case dataCount: return 11
        case code: return 12
        case data: return 13
        default: return nil
        }
    }
}

/// Splits a module into its header and sections without interpreting their contents.
enum SectionLayout {
    static let headerSize = 8

    static func sections(of wasm: [UInt8]) throws(InstrumentationError) -> [RawSection] {
        guard wasm.count >= headerSize,
            wasm[0..<4].elementsEqual([0x00, 0x61, 0x73, 0x6D]),
            wasm[4..<8].elementsEqual([0x01, 0x00, 0x00, 0x00])
        else {
            throw InstrumentationError("not a WebAssembly core module (bad magic or version)", offset: 0)
        }
        var reader = ByteReader(wasm, from: headerSize, to: wasm.count)
        var sections: [RawSection] = []
        while !reader.isAtEnd {
            let id = try reader.readByte()
            let sizeOffset = reader.position
            let size = Int(try reader.readU32())
            let start = reader.position
            guard size <= wasm.count - start else {
                throw InstrumentationError("section \(id) size \(size) runs past the end of the module", offset: sizeOffset)
            }
            try reader.skip(size)
            sections.append(RawSection(id: id, payloadStart: start, payloadEnd: start + size))
        }
        return sections
    }
}

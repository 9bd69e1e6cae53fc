/// The 8-byte header of a WebAssembly binary: the `\0asm` magic, then a version and a layer.
///
/// A core module has version 1, layer 0; a component (the component model) has version 0x0d,
/// layer 1. Engines report a component as a bad version number; this names it.
public enum WasmBinaryHeader {
    /// `\0asm`.
    public static let magic: [UInt8] = [0x00, 0x61, 0x73, 0x6D]

    /// What is wrong with the header of `bytes` for a core module, or nil when it is a core module's
    /// header (or the bytes do not start with the magic at all: that is reported elsewhere).
    public static func problem<Bytes: Collection<UInt8>>(in bytes: Bytes) -> String? {
        guard bytes.starts(with: magic) else { return nil }
        let header = Array(bytes.prefix(8))
        guard header.count == 8 else {
            return "the file ends inside the 8-byte module header"
        }
        let version = UInt16(header[4]) | UInt16(header[5]) << 8
        let layer = UInt16(header[6]) | UInt16(header[7]) << 8
        if version == 1, layer == 0 { return nil }
        if layer == 1 {
            return "this is a WebAssembly component, not a core module; Station runs core modules "
                + "(build for a core target such as wasm32-wasip1 instead of wasip2, or extract the core module)"
        }
        return "unknown WebAssembly binary version \(version) (layer \(layer)); only version 1 core modules are supported"
    }
}

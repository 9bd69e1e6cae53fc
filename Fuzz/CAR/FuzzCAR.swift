import FuzzSupport
import IPFS
import Multiformats

// The CAR reader (v1 and v2) over an in-memory stream: every block it returns must verify against
// its CID, and offsets only move forward.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCAR(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    runBlocking {
        do {
            // A small block limit keeps hostile length prefixes cheap to refuse.
            let reader = try await CARReader(source: ArrayByteSource(bytes), maxBlockSize: 1 << 16)
            fuzzCheck(reader.header.version == 1 || reader.header.version == 2, "version \(reader.header.version)")
            var last = reader.offset
            var count = 0
            while count < 10_000, let block = try await reader.next() {
                count += 1
                fuzzCheck(block.cid.multihash.verifies(block.data) || block.cid.multihash.function == .identity,
                          "block \(block.cid) does not match its data")
                fuzzCheck(reader.offset > last && reader.offset <= UInt64(bytes.count), "offset \(reader.offset) after \(last)")
                last = reader.offset
            }
        } catch {
            _ = "\(error)"
        }
    }
    return 0
}

@_cdecl("FuzzCAR_main")
public func fuzzCARMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzCAR)
}

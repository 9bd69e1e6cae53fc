import FuzzSupport
import IPFS
import Multiformats

// dag-pb nodes and the UnixFS data inside them (and UnixFS data on its own), with round trips.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDagPB(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    if let node = try? DagPBNode(decoding: bytes) {
        let encoded = node.encoded()
        fuzzCheck((try? DagPBNode(decoding: encoded)) == node, "dag-pb node does not round-trip")
        if let inner = node.data { checkUnixFS(inner) }
    }
    checkUnixFS(bytes)
    return 0
}

private func checkUnixFS(_ bytes: [UInt8]) {
    guard let unixfs = try? UnixFSData(decoding: bytes) else { return }
    let again = try? UnixFSData(decoding: unixfs.encoded())
    fuzzCheck(again?.kind == unixfs.kind && again?.data == unixfs.data && again?.fileSize == unixfs.fileSize
              && again?.blockSizes == unixfs.blockSizes, "UnixFS data does not round-trip")
}

@_cdecl("FuzzDagPB_main")
public func fuzzDagPBMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzDagPB)
}

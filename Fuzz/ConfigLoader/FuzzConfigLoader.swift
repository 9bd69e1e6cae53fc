import Foundation
import FuzzSupport
import StationConfig

// ConfigLoader on a real file: the input is written as station.toml (and, separately, as a
// module.toml) in a private temporary folder, then loaded with a fixed environment, so the
// whole validation path runs (tables, keys, sizes, durations, limits, fair shares, folders).
private let folder: String = {
    let path = NSTemporaryDirectory() + "station-fuzz-config-\(getpid())"
    try? FileManager.default.createDirectory(atPath: path + "/state", withIntermediateDirectories: true)
    try? FileManager.default.createDirectory(atPath: path + "/cache", withIntermediateDirectories: true)
    return path
}()

private let environment = ["HOME": folder, "STATE_ROOT": folder + "/state", "CACHE_ROOT": folder + "/cache"]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfigLoader(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Data(fuzzBytes(data, size))
    let station = folder + "/station.toml"
    let manifest = folder + "/module.toml"
    guard FileManager.default.createFile(atPath: station, contents: bytes),
          FileManager.default.createFile(atPath: manifest, contents: bytes)
    else { fatalError("cannot write to \(folder)") }
    do {
        _ = try ConfigLoader.load(path: station, environment: environment)
    } catch {
        fuzzCheck(!error.problems.isEmpty, "ConfigErrors thrown with no problem in it")
        _ = error.description
    }
    do {
        _ = try ConfigLoader.loadManifest(path: manifest)
    } catch {
        fuzzCheck(!error.problems.isEmpty, "ConfigErrors thrown with no problem in it (manifest)")
        _ = error.description
    }
    return 0
}

@_cdecl("FuzzConfigLoader_main")
public func fuzzConfigLoaderMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzConfigLoader)
}

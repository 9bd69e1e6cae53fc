import Foundation

/// A fresh private folder for a harness's files, in memory when the machine has `/dev/shm`: the
/// key-value store commits with `fsync` (`synchronous = FULL`), which costs ~20 ms per input on a
/// disk and nothing on tmpfs, and the harnesses write and delete files on every input.
func fuzzTemporaryFolder(_ name: String) -> URL {
    var isDirectory: ObjCBool = false
    let memory = FileManager.default.fileExists(atPath: "/dev/shm", isDirectory: &isDirectory) && isDirectory.boolValue
        && FileManager.default.isWritableFile(atPath: "/dev/shm")
    let base = memory ? URL(fileURLWithPath: "/dev/shm") : FileManager.default.temporaryDirectory
    let folder = base.appendingPathComponent("station-fuzz-\(name)-\(getpid())-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder
}

import Foundation

/// A fresh, empty folder under the system's temporary directory, named `LABEL-UUID` so a folder
/// left behind by a failed test says which test made it. The caller removes it (usually with
/// `defer { try? FileManager.default.removeItem(at: folder) }`).
public func temporaryFolder(_ label: String = "station-test") throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

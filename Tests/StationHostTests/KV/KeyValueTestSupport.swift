import Foundation
@testable import StationHost

/// A fresh folder under the system temporary directory, removed by `remove()`.
struct KeyValueTestFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("station-kv-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// The path of `name` inside the folder.
    func path(_ name: String) -> String {
        url.appendingPathComponent(name).path
    }

    func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}

/// Runs `body` and returns the StationError it threw, or nil when it did not throw.
func keyValueError(_ body: () throws(StationError) -> Void) -> StationError? {
    do throws(StationError) {
        try body()
        return nil
    } catch {
        return error
    }
}

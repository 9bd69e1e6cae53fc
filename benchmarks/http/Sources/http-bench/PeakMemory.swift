#if canImport(Glibc)
import Glibc
#endif

/// Reads this process's peak resident set size (`VmHWM` in `/proc/self/status`).
enum PeakMemory {
    /// Peak RSS in KiB, or nil where `/proc/self/status` is not available.
    static func peakResidentKiB() -> Int? {
        guard let status = try? readProcStatus() else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let digits = line.dropFirst("VmHWM:".count).filter(\.isNumber)
            return Int(digits)
        }
        return nil
    }

    private static func readProcStatus() throws -> String {
        #if canImport(Glibc)
        guard let file = fopen("/proc/self/status", "r") else { return "" }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            if count <= 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
        #else
        return ""
        #endif
    }
}

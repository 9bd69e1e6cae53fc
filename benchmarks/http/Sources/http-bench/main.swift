// http-bench: the loopback server and native AsyncHTTPClient loop for benchmarks/bench-http.
#if canImport(Glibc)
import Glibc
#endif
import NIOCore

let command: BenchCommand
do {
    command = try BenchCommand.parse(Array(CommandLine.arguments.dropFirst()))
} catch {
    FileHandleOutput.standardError("http-bench: \(error)\n\(BenchCommand.usage)\n")
    exit(64)
}

switch command {
case .serve(let port, let bodyBytes):
    do {
        try await LoopbackServer.run(port: port, bodyBytes: bodyBytes)
    } catch {
        FileHandleOutput.standardError("http-bench serve: \(error)\n")
        exit(1)
    }
case .native(let url, let count, let concurrency, let connections):
    let clock = ContinuousClock()
    let start = clock.now
    let totals: FetchTotals
    do {
        totals = try await NativeFetchLoop.run(url: url, count: count, concurrency: concurrency, connections: connections)
    } catch {
        FileHandleOutput.standardError("http-bench native: \(error)\n")
        exit(1)
    }
    let elapsed = clock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let rate = seconds > 0 ? Double(totals.requests) / seconds : 0
    let peak = PeakMemory.peakResidentKiB().map(String.init) ?? "unknown"
    print("requests=\(totals.requests) ok=\(totals.ok) errors=\(totals.errors) bytes=\(totals.bytes) "
        + "seconds=\(format3(seconds)) requests_per_second=\(Int(rate.rounded())) "
        + "in_flight=\(concurrency) connections=\(connections) peak_rss_kib=\(peak)")
    if let firstError = totals.firstError { FileHandleOutput.standardError("first error: \(firstError)\n") }
    exit(totals.errors == 0 ? 0 : 1)
}

/// `value` with three decimals, without Foundation.
func format3(_ value: Double) -> String {
    let thousandths = Int((value * 1000).rounded())
    let fraction = String(thousandths % 1000)
    return "\(thousandths / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
}

/// Writes text to standard error.
enum FileHandleOutput {
    static func standardError(_ text: String) {
        #if canImport(Glibc)
        var bytes = Array(text.utf8)
        _ = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
        #endif
    }
}

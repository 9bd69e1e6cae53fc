import CFuzzSupport
import Dispatch

/// The signature of `LLVMFuzzerTestOneInput`.
public typealias FuzzCallback = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

/// Runs libFuzzer's driver on `callback`.
///
/// Why this exists: SwiftPM links every executable target with `--defsym main=<Target>_main`, so
/// libFuzzer's own `main` is never the entry point. Each harness therefore exports
/// `@_cdecl("Fuzz<Name>_main")` and calls this, which hands argc/argv to `LLVMFuzzerRunDriver`
/// (the same code path as libFuzzer's `main`).
public func runFuzzer(
    _ argc: CInt,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
    _ callback: FuzzCallback
) -> CInt {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments, callback)
}

/// Copies libFuzzer's input into an array (the harnesses feed parsers that take collections).
public func fuzzBytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
    guard let data, size > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: data, count: size))
}

/// Checks an invariant of the code under test. A failure prints `message` and traps, which
/// libFuzzer reports as a crash and saves the input for.
public func fuzzCheck(
    _ condition: @autoclosure () -> Bool,
    _ message: @autoclosure () -> String,
    file: StaticString = #fileID,
    line: UInt = #line
) {
    if !condition() {
        // fatalError prints the message and traps; libFuzzer catches the signal.
        fatalError("fuzz invariant failed: \(message())", file: file, line: line)
    }
}

/// Runs async code to completion from libFuzzer's synchronous callback.
///
/// The parsers under test do not suspend on in-memory sources, so this is one task hop per input.
public func runBlocking(_ body: @escaping @Sendable () async -> Void) {
    let done = DispatchSemaphore(value: 0)
    Task {
        await body()
        done.signal()
    }
    done.wait()
}

/// Splits input at the first byte equal to `separator` (the rest after it, or empty).
public func splitOnce(_ bytes: [UInt8], at separator: UInt8) -> (head: ArraySlice<UInt8>, tail: ArraySlice<UInt8>?) {
    guard let index = bytes.firstIndex(of: separator) else { return (bytes[...], nil) }
    return (bytes[..<index], bytes[(index + 1)...])
}

import CFuzzSupport
import Dispatch
import FuzzHarnesses

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

/// Runs one harness body (from `FuzzHarnesses`) on libFuzzer's input. A broken invariant traps
/// with its message, which libFuzzer reports as a crash and saves the input for.
public func fuzzRun(_ data: UnsafePointer<UInt8>?, _ size: Int, _ harness: ([UInt8]) throws -> Void) -> CInt {
    do {
        try harness(fuzzBytes(data, size))
    } catch {
        fatalError("\(error)")
    }
    return 0
}

/// ``fuzzRun(_:_:_:)`` for async harness bodies (readers such as `CARReader`): runs the body to
/// completion from libFuzzer's synchronous callback. The parsers under test do not suspend on
/// in-memory sources, so this is one task hop per input.
public func fuzzRunAsync(_ data: UnsafePointer<UInt8>?, _ size: Int, _ harness: @escaping @Sendable ([UInt8]) async throws -> Void) -> CInt {
    let bytes = fuzzBytes(data, size)
    let done = DispatchSemaphore(value: 0)
    Task {
        do {
            try await harness(bytes)
        } catch {
            fatalError("\(error)")
        }
        done.signal()
    }
    done.wait()
    return 0
}

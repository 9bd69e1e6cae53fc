import Foundation
import StationTestSupport
import SandboxEngine
import Testing
@testable import WASIHost

/// A small deterministic generator, so a failing garbage-input case can be replayed.
private struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite struct WASIFunctionsTests {
    /// Every function, called thousands of times with garbage arguments over garbage memory,
    /// returns an errno (or ends the guest the documented way) and never leaves the preopen.
    @Test func garbageArgumentsNeverCrashOrEscape() throws {
        let tree = try TemporaryDirectory()
        try tree.makeDirectory("root/sub")
        try tree.writeFile("root/sub/file", "content")
        try tree.writeFile("outside.txt", "untouched")
        let governor = ExecutionGovernor()
        governor.requestStop(.runtime("no blocking in this test"))
        let stdout = CapturingSink(limit: 1024)
        let harness = try WASIHarness(WASIConfiguration(
            arguments: ["fuzz"], preopens: [WASIPreopen(hostPath: tree.path + "/root", guestPath: "/r")],
            stdout: stdout, stderr: stdout, storageQuota: 1 << 20, maxOpenFiles: 32, governor: governor))
        let functions = harness.context.hostFunctions()
        var random = SplitMix64(state: 0x5EED)
        var errnos = Set<UInt16>()
        for round in 0..<20_000 {
            if round % 500 == 0 {
                // Fresh garbage, with some short paths made of "a", "/", "." and ".." pieces.
                for index in 0..<harness.memory.buffer.count { harness.memory.buffer[index] = UInt8.random(in: 0...255, using: &random) }
                let pieces = ["a", "b", "/", ".", "..", "sub", "file", "\u{0}"]
                for slot in 0..<16 {
                    let text = (0..<Int.random(in: 1...6, using: &random)).map { _ in pieces.randomElement(using: &random) ?? "a" }.joined()
                    try harness.store(Array(text.utf8), at: UInt32(slot * 64))
                }
            }
            let function = functions[Int.random(in: 0..<functions.count, using: &random)]
            let arguments = function.signature.parameters.map { type -> WasmValue in
                switch type {
                case .i64: return .i64(Bool.random(using: &random) ? UInt64.random(in: 0...100_000, using: &random) : random.next())
                default:
                    switch Int.random(in: 0..<4, using: &random) {
                    case 0: return .i32(UInt32.random(in: 0...8, using: &random))
                    case 1: return .i32(UInt32.random(in: 0...16, using: &random) * 64)
                    case 2: return .i32(UInt32.random(in: 0...70_000, using: &random))
                    default: return .i32(UInt32(truncatingIfNeeded: random.next()))
                    }
                }
            }
            do {
                let results = try function.body(HostCall(access: harness.memory), arguments)
                if let raw = results.first?.i32 {
                    let errno = try #require(WASIErrno(rawValue: UInt16(raw)), "\(function.name) returned \(raw)")
                    errnos.insert(errno.rawValue)
                } else {
                    #expect(function.name == "proc_exit")
                }
            } catch is WASIExit {
                #expect(function.name == "proc_exit")
            } catch is SandboxError {
                #expect(function.name == "poll_oneoff" || function.name == "fd_read")
            }
        }
        // Many different outcomes were reached, and nothing outside the preopen changed.
        #expect(errnos.count >= 6, "outcomes: \(errnos.sorted())")
        #expect(errnos.contains(WASIErrno.badf.rawValue))
        #expect(errnos.contains(WASIErrno.fault.rawValue))
        #expect(errnos.contains(WASIErrno.success.rawValue))
        let siblings = try FileManager.default.contentsOfDirectory(atPath: tree.path).sorted()
        #expect(siblings == ["outside.txt", "root"])
        #expect(try tree.readFile("outside.txt") == "untouched")
        #expect(harness.context.storageUsed <= harness.context.storageQuota)
    }
}

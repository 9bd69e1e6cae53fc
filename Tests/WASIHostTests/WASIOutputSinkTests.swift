import Foundation
import Testing
@testable import WASIHost

@Suite struct WASIOutputSinkTests {
    @Test func capturingSinkKeepsTheFirstBytesAndCountsTheRest() {
        let sink = CapturingSink(limit: 10)
        let chunk = [UInt8](repeating: 65, count: 4)
        for _ in 0..<100_000 { chunk.withUnsafeBytes { sink.write($0) } }
        #expect(sink.bytes.count == 10)
        #expect(sink.text == "AAAAAAAAAA")
        #expect(sink.droppedByteCount == 400_000 - 10)
        #expect(sink.totalByteCount == 400_000)
    }

    @Test func fileDescriptorSinkWritesEverything() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]) }
        let sink = FileDescriptorSink(fd: fds[1])
        Array("hello, pipe".utf8).withUnsafeBytes { sink.write($0) }
        close(fds[1])
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = read(fds[0], &buffer, 64)
        #expect(Array(buffer.prefix(max(0, count))) == Array("hello, pipe".utf8))
    }

    @Test func aModulePrintingMegabytesStaysBounded() throws {
        let stdout = CapturingSink(limit: 4096)
        let harness = try WASIHarness(WASIConfiguration(stdout: stdout))
        let chunk = [UInt8](repeating: 0x2E, count: 16 * 1024)
        for _ in 0..<256 {
            #expect(try harness.write(1, chunk) == (.success, UInt32(chunk.count)))
        }
        #expect(stdout.bytes.count == 4096)
        #expect(stdout.totalByteCount == 256 * 16 * 1024)
    }
}

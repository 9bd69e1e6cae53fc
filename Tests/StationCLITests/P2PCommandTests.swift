import Foundation
import Synchronization
import Testing

/// A `station p2p listen` process for one test; `stop()` always ends it.
private final class ListenerProcess {
    let process = Process()
    private let output = Pipe()
    /// The first address the listener printed, with `/p2p/<id>`.
    private(set) var address = ""

    init(arguments: [String]) throws {
        process.executableURL = StationBinary.url
        process.arguments = ["p2p", "listen"] + arguments
        process.currentDirectoryURL = StationBinary.packageRoot
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        address = String(decoding: line, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
    }

    /// Sends SIGTERM, escalates to SIGKILL if the process lingers, and returns the exit status.
    @discardableResult
    func stop() -> Int32 {
        if process.isRunning {
            process.terminate()
            for _ in 0..<100 where process.isRunning { usleep(50_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
        return process.terminationStatus
    }
}

/// Runs `station` with binary standard input and returns the raw standard output.
private func runBinary(_ arguments: [String], stdin: Data) throws -> (status: Int32, stdout: Data, stderr: String) {
    let process = Process()
    process.executableURL = StationBinary.url
    process.arguments = arguments
    let out = Pipe(), err = Pipe(), input = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = input
    try process.run()
    // Feed stdin from another thread so a full stdout pipe can never block the writer.
    let writer = Thread {
        input.fileHandleForWriting.write(stdin)
        try? input.fileHandleForWriting.close()
    }
    writer.start()
    let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
    let stderrData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, stdoutData, String(decoding: stderrData, as: UTF8.self))
}

/// Decodes base58btc text (Bitcoin alphabet); nil on a character outside it.
private func decodeBase58(_ text: String) -> [UInt8]? {
    let alphabet = Array("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz")
    var number: [UInt8] = []  // big-endian base-256 digits
    for character in text {
        guard let digit = alphabet.firstIndex(of: character) else { return nil }
        var carry = digit
        for index in number.indices.reversed() {
            carry += Int(number[index]) * 58
            number[index] = UInt8(carry & 0xFF)
            carry >>= 8
        }
        while carry > 0 {
            number.insert(UInt8(carry & 0xFF), at: 0)
            carry >>= 8
        }
    }
    let leadingZeros = text.prefix { $0 == "1" }.count
    return Array(repeating: 0, count: leadingZeros) + number
}

private func temporaryStateFolder() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("station-p2p-\(UUID().uuidString)").path
}

private let echoProtocol = "/test/echo/1.0.0"

/// A loopback TCP socket that accepts connections into its backlog and never says a word.
private final class SilentListener {
    let descriptor: Int32
    let port: UInt16

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw -> Bool in
                fd >= 0 && bind(fd, raw, length) == 0 && listen(fd, 8) == 0 && getsockname(fd, raw, &length) == 0
            }
        }
        guard bound else {
            if fd >= 0 { close(fd) }
            throw CocoaError(.fileWriteUnknown)
        }
        descriptor = fd
        port = UInt16(bigEndian: address.sin_port)
    }

    deinit { close(descriptor) }
}

extension CLI {
@Suite("station p2p")
struct P2PCommandTests {
    @Test("p2p id prints an Ed25519 peer ID that is stable for one state folder")
    func idIsStable() throws {
        let state = temporaryStateFolder()
        let first = try StationBinary.run(["p2p", "id", "--state", state])
        let second = try StationBinary.run(["p2p", "id", "--state", state])
        #expect(first.status == 0, "stderr: \(first.stderr)")
        #expect(second.status == 0, "stderr: \(second.stderr)")
        let lines = first.stdout.split(separator: "\n").map(String.init)
        let peer = try #require(lines.first)
        // An Ed25519 peer ID is the identity multihash of the key protobuf: 00 24 08 01 12 20 + 32 bytes.
        let bytes = try #require(decodeBase58(peer))
        #expect(bytes.count == 38)
        #expect(Array(bytes.prefix(6)) == [0x00, 0x24, 0x08, 0x01, 0x12, 0x20])
        #expect(second.stdout.split(separator: "\n").first.map(String.init) == peer)
        #expect(lines.dropFirst().contains("/ip4/127.0.0.1/tcp/0/p2p/\(peer)"), "stdout: \(first.stdout)")

        let other = try StationBinary.run(["p2p", "id", "--state", temporaryStateFolder()])
        #expect(other.status == 0)
        #expect(other.stdout.split(separator: "\n").first.map(String.init) != peer)
    }

    /// One state-folder rule for every command: with STATE_ROOT set, `station p2p id` reads the
    /// identity the daemon uses (STATE/identity.key), and the old STATION_STATE_ROOT is not read.
    @Test("p2p id follows STATE_ROOT like the daemon")
    func idFollowsStateRoot() throws {
        let state = temporaryStateFolder()
        let explicit = try StationBinary.run(["p2p", "id", "--state", state])
        let peer = try #require(explicit.stdout.split(separator: "\n").first.map(String.init))
        let fromRoot = try StationBinary.run(["p2p", "id"], environment: ["STATE_ROOT": state, "STATION_STATE_ROOT": temporaryStateFolder()])
        #expect(fromRoot.status == 0, "stderr: \(fromRoot.stderr)")
        #expect(fromRoot.stdout.split(separator: "\n").first.map(String.init) == peer)
        #expect(FileManager.default.fileExists(atPath: state + "/identity.key"))
        let help = try StationBinary.run(["p2p", "id", "--help"])
        #expect(help.stdout.contains("$STATE_ROOT"))
        #expect(!help.stdout.contains("STATION_STATE_ROOT"))
    }

    @Test("the listener announces the identity from its state folder and exits 0 on SIGTERM")
    func listenerUsesStoredIdentity() throws {
        let state = temporaryStateFolder()
        let id = try StationBinary.run(["p2p", "id", "--state", state])
        let peer = try #require(id.stdout.split(separator: "\n").first.map(String.init))
        let listener = try ListenerProcess(arguments: ["--echo", echoProtocol, "--state", state])
        let status = listener.stop()
        #expect(listener.address.hasPrefix("/ip4/127.0.0.1/tcp/"))
        #expect(listener.address.hasSuffix("/p2p/\(peer)"), "address: \(listener.address)")
        #expect(!listener.address.contains("/tcp/0/"))
        #expect(status == 0)
    }

    @Test("a request to an echo listener round-trips text through stdin and stdout")
    func requestEchoesText() throws {
        let listener = try ListenerProcess(arguments: ["--echo", echoProtocol, "--state", temporaryStateFolder()])
        defer { listener.stop() }
        let text = "hello, peer\nzweite Zeile: grüße ✓\n"
        let result = try StationBinary.run(["p2p", "request", listener.address, echoProtocol], stdin: Data(text.utf8))
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout == text)
        #expect(result.stderr.isEmpty)
    }

    @Test("a request round-trips 1 MiB of binary data byte for byte")
    func requestEchoesBinary() throws {
        let listener = try ListenerProcess(arguments: ["--echo", echoProtocol, "--state", temporaryStateFolder()])
        defer { listener.stop() }
        var generator = SystemRandomNumberGenerator()
        let payload = Data((0..<(1 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) })
        let result = try runBinary(["p2p", "request", listener.address, echoProtocol], stdin: payload)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.count == payload.count)
        #expect(result.stdout == payload)
    }

    @Test("standard input is sent as it is read: the echo of a first line comes back while the input is still open")
    func requestStreamsStandardInput() throws {
        let listener = try ListenerProcess(arguments: ["--echo", echoProtocol, "--state", temporaryStateFolder()])
        defer { listener.stop() }
        let process = Process()
        process.executableURL = StationBinary.url
        process.arguments = ["p2p", "request", listener.address, echoProtocol, "--timeout", "20s"]
        let out = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        process.standardInput = input
        try process.run()
        defer {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        input.fileHandleForWriting.write(Data("first\n".utf8))
        // Until the echo of the first line is read, the input stays open. A command that read all of
        // its input before sending would never answer: after 15 s it is killed, so the read below
        // ends with nothing echoed and the test fails instead of hanging.
        let echoSeen = Mutex(false)
        let pid = process.processIdentifier
        DispatchQueue.global().asyncAfter(deadline: .now() + 15) {
            if !echoSeen.withLock({ $0 }) { kill(pid, SIGKILL) }
        }
        var echoed = Data()
        while echoed.count < 6 {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            echoed.append(chunk)
        }
        echoSeen.withLock { $0 = true }
        #expect(String(decoding: echoed, as: UTF8.self) == "first\n")
        input.fileHandleForWriting.write(Data("second\n".utf8))
        try input.fileHandleForWriting.close()
        let rest = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(String(decoding: rest, as: UTF8.self) == "second\n")
    }

    @Test("an empty request gets an empty reply and exit status 0")
    func emptyRequest() throws {
        let listener = try ListenerProcess(arguments: ["--echo", echoProtocol, "--state", temporaryStateFolder()])
        defer { listener.stop() }
        let result = try StationBinary.run(["p2p", "request", listener.address, echoProtocol], stdin: Data())
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test("a protocol the listener does not serve fails with one error line")
    func unsupportedProtocol() throws {
        let listener = try ListenerProcess(arguments: ["--echo", echoProtocol, "--state", temporaryStateFolder()])
        defer { listener.stop() }
        let result = try StationBinary.run(["p2p", "request", listener.address, "/test/other/1.0.0"], stdin: Data("x".utf8))
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("station: p2p: "), "stderr: \(result.stderr)")
        #expect(result.stderr.contains("/test/other/1.0.0"))
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    @Test("p2p ping prints one time= line per round trip")
    func pingListener() throws {
        let listener = try ListenerProcess(arguments: ["--echo", echoProtocol, "--state", temporaryStateFolder()])
        defer { listener.stop() }
        let result = try StationBinary.run(["p2p", "ping", listener.address, "--count", "4"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 4)
        for (index, line) in lines.enumerated() {
            #expect(line.hasPrefix("seq=\(index + 1) time="), "line: \(line)")
            #expect(line.hasSuffix(" ms"))
        }
    }

    @Test("a wrong /p2p/ ID in the address is refused")
    func pingWrongPeer() throws {
        let listener = try ListenerProcess(arguments: ["--state", temporaryStateFolder()])
        defer { listener.stop() }
        let otherID = try StationBinary.run(["p2p", "id", "--state", temporaryStateFolder()])
        let otherPeer = try #require(otherID.stdout.split(separator: "\n").first.map(String.init))
        let base = try #require(listener.address.components(separatedBy: "/p2p/").first)
        let result = try StationBinary.run(["p2p", "ping", "\(base)/p2p/\(otherPeer)", "--count", "1"])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("station: p2p: "), "stderr: \(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test("a malformed multiaddr is a usage error with one clear line", arguments: [
        ["p2p", "ping", "/ip4/not-an-ip/tcp/1"],
        ["p2p", "request", "ip4/127.0.0.1/tcp/1", echoProtocol],
        ["p2p", "listen", "--listen", "/ip4/127.0.0.1/tcp/99999"],
    ])
    func badMultiaddr(arguments: [String]) throws {
        let result = try StationBinary.run(arguments, stdin: Data())
        #expect(result.status == 64)
        #expect(result.stderr.hasPrefix("station: p2p: invalid "), "stderr: \(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(result.stdout.isEmpty)
    }

    @Test("a request to a closed port fails with a non-zero status")
    func closedPort() throws {
        let listener = try ListenerProcess(arguments: ["--state", temporaryStateFolder()])
        let address = listener.address
        #expect(listener.stop() == 0)
        #expect(!address.isEmpty)
        let result = try StationBinary.run(["p2p", "request", address, echoProtocol, "--timeout", "5s"], stdin: Data("x".utf8))
        #expect(result.status != 0)
        #expect(result.stderr.hasPrefix("station: p2p: cannot connect to \(address)"), "stderr: \(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(result.stdout.isEmpty)
    }

    @Test("a peer that never answers the handshake ends in status 124 at --timeout")
    func silentPeerTimesOut() throws {
        let silent = try SilentListener()
        let address = "/ip4/127.0.0.1/tcp/\(silent.port)"
        let result = try StationBinary.run(["p2p", "request", address, echoProtocol, "--timeout", "1s"], stdin: Data("x".utf8))
        #expect(result.status == 124)
        #expect(result.stderr == "station: p2p: request to \(address) timed out after 1s\n")
        #expect(result.stdout.isEmpty)
    }

    @Test("p2p --help names every subcommand")
    func help() throws {
        let result = try StationBinary.run(["p2p", "--help"])
        #expect(result.status == 0)
        for name in ["id", "listen", "ping", "request"] {
            #expect(result.stdout.contains("  \(name) "), "missing \(name) in: \(result.stdout)")
        }
    }
}
}

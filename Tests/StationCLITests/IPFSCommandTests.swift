import Foundation
import StationTestSupport
import Testing

/// The last line of stdout.
private func lastLine(_ data: Data) -> String {
    String(decoding: data, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? ""
}

/// Debian `ipfs_cid`'s CIDv0 for a file.
private func debianCIDv0(_ path: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/ipfs_cid")
    process.arguments = [path]
    let out = Pipe()
    process.standardOutput = out
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let text = String(decoding: data, as: UTF8.self)
    guard let start = text.firstIndex(of: "{"), let end = text.lastIndex(of: "}"),
          let object = try JSONSerialization.jsonObject(with: Data(text[start ... end].utf8)) as? [String: String],
          let v0 = object["CIDv0"]
    else { throw CLIToolFailure(message: "ipfs_cid printed no JSON: \(text.prefix(300))") }
    return v0
}

private struct CLIToolFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// A `station` process left running while the test watches what it writes (stdout collected
/// as it comes, stderr drained).
private final class RunningStation: @unchecked Sendable {
    private let process: Process
    private let lock = NSLock()
    private var collected = Data()
    private let reading = DispatchGroup()
    private let errors: PipeDrain

    init(_ arguments: [String]) throws {
        let (process, out, err) = try StationBinary.start(arguments)
        self.process = process
        errors = PipeDrain(err)
        DispatchQueue.global().async(group: reading) {
            while true {
                let chunk = out.fileHandleForReading.availableData
                if chunk.isEmpty { return }
                self.lock.withLock { self.collected.append(chunk) }
            }
        }
    }

    /// Everything on stdout so far.
    var stdout: Data { lock.withLock { collected } }
    var isRunning: Bool { process.isRunning }

    /// Waits for the exit; returns status, stdout and stderr.
    func wait() -> (Int32, Data, String) {
        process.waitUntilExit()
        reading.wait()
        return (process.terminationStatus, stdout, String(decoding: errors.wait(), as: UTF8.self))
    }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
}

/// A `station ipfs serve` process (shared by the CLI's IPFS test files); `stop()` always ends it.
final class ServeProcess {
    let process = Process()
    private let output = Pipe()
    /// The gateway URL (first line).
    private(set) var url = ""
    /// The Bitswap address with /p2p/ID (second line).
    private(set) var peer = ""
    /// The peer ID of ``peer``.
    var peerID: String { peer.components(separatedBy: "/p2p/").last ?? "" }
    /// ``peer`` without its /p2p/ID.
    var p2pAddress: String { peer.components(separatedBy: "/p2p/").first ?? "" }
    /// The gateway as a multiaddr (`/ip4/127.0.0.1/tcp/PORT/http`), as routers announce it.
    var gatewayAddress: String {
        let port = url.split(separator: ":").last.map(String.init) ?? ""
        return "/ip4/127.0.0.1/tcp/\(port)/http"
    }

    init(repo: String, state: String) throws {
        process.executableURL = StationBinary.url
        process.arguments = ["ipfs", "serve", "--listen", "127.0.0.1:0", "--repo", repo, "--state", state]
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        var text = Data()
        while text.filter({ $0 == UInt8(ascii: "\n") }).count < 2 {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text.append(chunk)
        }
        let lines = String(decoding: text, as: UTF8.self).split(separator: "\n").map(String.init)
        url = lines.first ?? ""
        peer = lines.dropFirst().first ?? ""
    }

    @discardableResult
    func stop() -> Int32 {
        if process.isRunning {
            process.terminate()
            for _ in 0 ..< 100 where process.isRunning { usleep(50_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
        return process.terminationStatus
    }
}

extension CLI {
@Suite("station ipfs")
struct IPFSCommandTests {
    @Test("add prints the CID Debian ipfs_cid computes (kubo defaults: CIDv0, 256 KiB, dag-pb leaves)",
          arguments: [0, 1, 262_144, 262_145, 1_000_000])
    func addMatchesIPFSCID(size: Int) throws {
        let folder = try temporaryFolder()
        let file = folder.appendingPathComponent("data.bin")
        try pseudoRandomData(size, seed: UInt64(size) + 7).write(to: file)
        let result = try StationBinary.runPiped(["ipfs", "add", "--repo", folder.appendingPathComponent("repo").path, file.path])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(lastLine(result.stdout) == (try debianCIDv0(file.path)))
    }

    @Test("add --cid-version 1 of an empty file gives kubo's raw-leaf CID; --only-hash stores nothing")
    func addCIDv1() throws {
        let folder = try temporaryFolder()
        let file = folder.appendingPathComponent("empty")
        try Data().write(to: file)
        let repo = folder.appendingPathComponent("repo").path
        let v1 = try StationBinary.runPiped(["ipfs", "add", "--cid-version", "1", "--repo", repo, file.path])
        #expect(lastLine(v1.stdout) == "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku", "stderr: \(v1.stderr)")
        let v0 = try StationBinary.runPiped(["ipfs", "add", "--only-hash", "--repo", folder.appendingPathComponent("none").path, file.path])
        #expect(lastLine(v0.stdout) == "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("none").path))
    }

    @Test("add refuses a bad chunk size with status 64 and a missing file with 66")
    func addErrors() throws {
        let folder = try temporaryFolder()
        let bad = try StationBinary.runPiped(["ipfs", "add", "--chunk-size", "0", "--repo", folder.path, "/etc/hostname"])
        #expect(bad.status == 64)
        #expect(bad.stderr.hasPrefix("station: ipfs: invalid option: chunk size"), "stderr: \(bad.stderr)")
        let missing = try StationBinary.runPiped(["ipfs", "add", "--repo", folder.path, "/nonexistent/file"])
        #expect(missing.status == 66)
    }

    @Test("car export then car import into another repo gives back identical bytes")
    func carRoundTrip() throws {
        let folder = try temporaryFolder()
        let file = folder.appendingPathComponent("data.bin")
        let content = pseudoRandomData(700_000, seed: 3)
        try content.write(to: file)
        let first = folder.appendingPathComponent("first").path, second = folder.appendingPathComponent("second").path
        let added = try StationBinary.runPiped(["ipfs", "add", "--repo", first, file.path])
        let cid = lastLine(added.stdout)
        let car = folder.appendingPathComponent("out.car").path
        let exported = try StationBinary.runPiped(["ipfs", "car", "export", cid, "-o", car, "--repo", first])
        #expect(exported.status == 0, "stderr: \(exported.stderr)")
        let toStdout = try StationBinary.runPiped(["ipfs", "car", "export", cid, "--repo", first])
        #expect(toStdout.stdout == (try Data(contentsOf: URL(fileURLWithPath: car))))
        let imported = try StationBinary.runPiped(["ipfs", "car", "import", car, "--repo", second])
        #expect(imported.status == 0, "stderr: \(imported.stderr)")
        #expect(lastLine(imported.stdout) == cid)
        let got = try StationBinary.runPiped(["ipfs", "get", cid, "--repo", second])
        #expect(got.status == 0, "stderr: \(got.stderr)")
        #expect(got.stdout == content)
    }

    @Test("car import of a corrupted CAR fails and pins nothing")
    func carImportCorrupt() throws {
        let folder = try temporaryFolder()
        let file = folder.appendingPathComponent("data.bin")
        try pseudoRandomData(300_000, seed: 4).write(to: file)
        let first = folder.appendingPathComponent("first").path, second = folder.appendingPathComponent("second").path
        let cid = lastLine(try StationBinary.runPiped(["ipfs", "add", "--repo", first, file.path]).stdout)
        var car = try StationBinary.runPiped(["ipfs", "car", "export", cid, "--repo", first]).stdout
        car[car.count - 10] ^= 0x55
        let carPath = folder.appendingPathComponent("bad.car")
        try car.write(to: carPath)
        let imported = try StationBinary.runPiped(["ipfs", "car", "import", carPath.path, "--repo", second])
        #expect(imported.status == 1)
        #expect(imported.stderr.contains("do not match"), "stderr: \(imported.stderr)")
        let got = try StationBinary.runPiped(["ipfs", "get", cid, "--repo", second])
        #expect(got.status == 69)
    }

    @Test("serve, then get --gateway into a second repo: identical file and folder")
    func serveAndGet() throws {
        let folder = try temporaryFolder()
        let tree = folder.appendingPathComponent("tree")
        try FileManager.default.createDirectory(at: tree.appendingPathComponent("sub"), withIntermediateDirectories: true)
        let big = pseudoRandomData(600_000, seed: 5)
        try big.write(to: tree.appendingPathComponent("sub/big.bin"))
        try Data("hello\n".utf8).write(to: tree.appendingPathComponent("a.txt"))
        let first = folder.appendingPathComponent("first").path
        let cid = lastLine(try StationBinary.runPiped(["ipfs", "add", "--cid-version", "1", "--repo", first, tree.path]).stdout)
        let server = try ServeProcess(repo: first, state: folder.appendingPathComponent("state").path)
        defer { server.stop() }
        #expect(server.url.hasPrefix("http://127.0.0.1:"), "url: \(server.url)")

        let second = folder.appendingPathComponent("second").path
        let file = try StationBinary.runPiped(["ipfs", "get", "\(cid)/sub/big.bin", "--gateway", server.url, "--repo", second])
        #expect(file.status == 0, "stderr: \(file.stderr)")
        #expect(file.stdout == big)
        #expect(file.stderr.isEmpty, "no progress bar when stderr is piped: \(file.stderr)")

        let third = folder.appendingPathComponent("third").path
        let out = folder.appendingPathComponent("copy")
        let dead = "http://127.0.0.1:9"  // discard port: nothing listens, so the next gateway is used
        let tree2 = try StationBinary.runPiped(["ipfs", "get", cid, "-o", out.path, "--gateway", dead, "--gateway", server.url, "--repo", third])
        #expect(tree2.status == 0, "stderr: \(tree2.stderr)")
        #expect(tree2.stderr.contains("skipped \(dead)"), "stderr: \(tree2.stderr)")
        #expect(try Data(contentsOf: out.appendingPathComponent("sub/big.bin")) == big)
        #expect(try String(contentsOf: out.appendingPathComponent("a.txt"), encoding: .utf8) == "hello\n")
        #expect(server.stop() == 0)
    }

    @Test("serve, then get --peer over Bitswap into a second repo: identical bytes")
    func serveAndGetOverBitswap() throws {
        let folder = try temporaryFolder()
        let tree = folder.appendingPathComponent("tree")
        try FileManager.default.createDirectory(at: tree, withIntermediateDirectories: true)
        let big = pseudoRandomData(900_000, seed: 8)
        try big.write(to: tree.appendingPathComponent("big.bin"))
        let first = folder.appendingPathComponent("first").path
        let cid = lastLine(try StationBinary.runPiped(["ipfs", "add", "--repo", first, tree.path]).stdout)
        let server = try ServeProcess(repo: first, state: folder.appendingPathComponent("state").path)
        defer { server.stop() }
        #expect(server.peer.hasPrefix("/ip4/127.0.0.1/tcp/"), "peer: \(server.peer)")
        let second = folder.appendingPathComponent("second").path
        let got = try StationBinary.runPiped(["ipfs", "get", "/ipfs/\(cid)/big.bin", "--peer", server.peer, "--repo", second, "--verbose"])
        #expect(got.status == 0, "stderr: \(got.stderr)")
        #expect(got.stdout == big)
        // --verbose: where it came from, and what Bitswap received (the folder, then 900,000 bytes
        // in 256 KiB leaves under one root: 6 blocks, no duplicates from a single peer).
        #expect(got.stderr.contains("from bitswap: connected peers"), "stderr: \(got.stderr)")
        #expect(got.stderr.contains("bitswap: 6 blocks received (0.9 MiB), 0 unwanted"), "stderr: \(got.stderr)")
        // Now complete and pinned locally: a second get needs no peer.
        let again = try StationBinary.runPiped(["ipfs", "get", "\(cid)/big.bin", "--repo", second])
        #expect(again.stdout == big, "stderr: \(again.stderr)")
    }

    @Test("get without the content and without a gateway fails with 69; bad paths with 64")
    func getErrors() throws {
        let folder = try temporaryFolder()
        let repo = folder.appendingPathComponent("repo").path
        let missing = try StationBinary.runPiped(["ipfs", "get", "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH", "--repo", repo])
        #expect(missing.status == 69)
        #expect(missing.stderr.contains("--gateway"), "stderr: \(missing.stderr)")
        let dotdot = try StationBinary.runPiped(["ipfs", "get", "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH/../etc", "--repo", repo])
        #expect(dotdot.status == 64)
        let notCID = try StationBinary.runPiped(["ipfs", "get", "hello", "--repo", repo])
        #expect(notCID.status == 64)
    }

    @Test("get writes the first leaves while the rest is on its way; a transfer that breaks fails and leaves no OUT")
    func getWritesWhileFetching() throws {
        let folder = try temporaryFolder()
        let big = pseudoRandomData(1_000_000, seed: 9)  // 4 leaves of at most 256 KiB
        let file = folder.appendingPathComponent("big.bin")
        try big.write(to: file)
        let first = folder.appendingPathComponent("first").path
        let cid = lastLine(try StationBinary.runPiped(["ipfs", "add", "--repo", first, file.path]).stdout)
        let car = folder.appendingPathComponent("big.car").path
        #expect(try StationBinary.runPiped(["ipfs", "car", "export", cid, "-o", car, "--repo", first]).status == 0)
        // The root and the first two leaves, then nothing until the test says "finish".
        let gateway = try ToolProcess(script: "stalling_gateway.py", arguments: [car, "600000"])
        defer { gateway.stop() }
        let url = try gateway.nextLine()

        // To stdout: the first leaf is out while the gateway still holds the rest back.
        let out = folder.appendingPathComponent("out.bin")
        for (run, destination) in [(1, nil), (2, out.path)] as [(Int, String?)] {
            let repo = folder.appendingPathComponent("repo\(run)").path
            let get = try RunningStation(["ipfs", "get", cid, "--gateway", url, "--idle-timeout", "5m", "--repo", repo]
                + (destination.map { ["-o", $0] } ?? []))
            let written = {
                destination == nil ? get.stdout.count : ((try? FileManager.default.attributesOfItem(atPath: out.path)[.size] as? Int) ?? 0)
            }
            let deadline = Date().addingTimeInterval(60)
            while written() < 262_144 && get.isRunning && Date() < deadline { usleep(10_000) }
            #expect(written() >= 262_144, "run \(run): only \(written()) bytes written")
            #expect(get.isRunning, "run \(run): the fetch cannot be over, the gateway holds back the rest")
            if destination == nil { #expect(get.stdout == big.prefix(get.stdout.count)) }
            #expect(try gateway.commandBlocking("finish") == "ok")
            let (status, stdout, stderr) = get.wait()
            #expect(status == 69, "run \(run): \(stderr)")
            #expect(stderr.contains("could not be found"), "run \(run): \(stderr)")
            #expect(stdout.count < big.count && stdout == big.prefix(stdout.count))
            if destination != nil { #expect(!FileManager.default.fileExists(atPath: out.path), "a failed get leaves no OUT") }
        }
    }

    @Test("the progress bar is drawn only when asked for on a non-terminal stderr")
    func progressBar() throws {
        let folder = try temporaryFolder()
        let file = folder.appendingPathComponent("data.bin")
        try pseudoRandomData(2_000_000, seed: 6).write(to: file)
        let piped = try StationBinary.runPiped(["ipfs", "add", "--only-hash", file.path])
        #expect(piped.status == 0)
        #expect(piped.stderr.isEmpty, "stderr: \(piped.stderr)")
        let forced = try StationBinary.runPiped(["ipfs", "add", "--only-hash", file.path], environment: ["STATION_PROGRESS": "always"])
        #expect(forced.status == 0)
        #expect(forced.stderr.contains("adding [##############################] 100% 1.9 MiB / 1.9 MiB"), "stderr: \(forced.stderr)")
        #expect(lastLine(forced.stdout) == lastLine(piped.stdout))
    }

    @Test("the repo defaults to $STATE_ROOT/ipfs")
    func repoFromStateRoot() throws {
        let folder = try temporaryFolder()
        let file = folder.appendingPathComponent("x.txt")
        try Data("x".utf8).write(to: file)
        let result = try StationBinary.runPiped(["ipfs", "add", file.path], environment: ["STATE_ROOT": folder.appendingPathComponent("state").path])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("state/ipfs/pins.json").path))
    }
}
}

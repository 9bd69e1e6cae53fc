import Foundation
import Testing
@testable import StationConfig

@Suite("[ipfs] routing settings")
struct IPFSRoutingConfigTests {
    @Test("routers, bootstrap and allow-net load in order")
    func loads() throws {
        let folder = try ConfigFolder()
        try folder.write("station.toml", """
        [ipfs]
        routers = ["https://cid.contact", "http://127.0.0.1:8090/"]
        bootstrap = ["/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWExample"]
        allow-net = ["127.0.0.1:*"]
        """)
        let config = try ConfigLoader.load(path: folder.path + "/station.toml", environment: environment)
        #expect(config.ipfs.routers == ["https://cid.contact", "http://127.0.0.1:8090/"])
        #expect(config.ipfs.bootstrap == ["/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWExample"])
        #expect(config.ipfs.allowNet == ["127.0.0.1:*"])
        #expect(config.ipfs.provide == false, "providing is off unless asked")
    }

    @Test("provide = true turns providing on; a non-boolean is refused")
    func provide() throws {
        let folder = try ConfigFolder()
        try folder.write("station.toml", "[ipfs]\nprovide = true\nbootstrap = [\"/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWExample\"]\n")
        let config = try ConfigLoader.load(path: folder.path + "/station.toml", environment: environment)
        #expect(config.ipfs.provide)
        let bad = try ConfigFolder()
        try bad.write("station.toml", "[ipfs]\nprovide = \"yes\"\n")
        let problems = bad.problems()
        #expect(problems.count == 1)
        #expect(problems.first?.message.contains("'provide'") == true, "\(problems)")
    }

    @Test("dht-server = true turns server mode on; off by default; a typo gets a suggestion")
    func dhtServer() throws {
        let off = try ConfigFolder()
        try off.write("station.toml", "[ipfs]\nprovide = true\n")
        #expect(try ConfigLoader.load(path: off.path + "/station.toml", environment: environment).ipfs.dhtServer == false)
        let folder = try ConfigFolder()
        try folder.write("station.toml", "[ipfs]\ndht-server = true\nbootstrap = [\"/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWExample\"]\n")
        let config = try ConfigLoader.load(path: folder.path + "/station.toml", environment: environment)
        #expect(config.ipfs.dhtServer)
        #expect(config.ipfs.provide == false, "server mode does not turn providing on")
        let bad = try ConfigFolder()
        try bad.write("station.toml", "[ipfs]\ndht-server = 1\n")
        #expect(bad.problems().first?.message.contains("'dht-server'") == true, "\(bad.problems())")
        let typo = try ConfigFolder()
        try typo.write("station.toml", "[ipfs]\ndht-sever = true\n")
        let problems = typo.problems()
        #expect(problems.count == 1)
        #expect(problems.first?.message == "unknown key 'dht-sever' in [ipfs]; did you mean 'dht-server'?", "\(problems)")
    }

    @Test("bad routers, bootstrap addresses and patterns are reported with their lines")
    func problems() throws {
        let folder = try ConfigFolder()
        try folder.write("station.toml", """
        [ipfs]
        routers = ["ftp://router.example", "http://bogus"]
        bootstrap = ["/ip4/127.0.0.1/tcp/4001", "/ip4/127.0.0.1/tcp/1/p2p/bogus"]
        allow-net = ["bogus:*"]
        routers-typo = 1
        """)
        let reject: FieldChecks.Check = { $0.contains("bogus") ? "contains bogus" : nil }
        let checks = FieldChecks(networkPattern: reject, multiaddr: reject, cid: reject, gatewayURL: reject)
        let problems = folder.problems(checks: checks).map { "\($0.line ?? 0): \($0.message)" }
        #expect(problems.contains("2: 'routers' in [ipfs]: 'ftp://router.example' must be an http:// or https:// URL"))
        #expect(problems.contains("2: 'routers' in [ipfs]: 'http://bogus' is not a valid router URL: contains bogus"))
        #expect(problems.contains("3: 'bootstrap' in [ipfs]: '/ip4/127.0.0.1/tcp/4001' must be a multiaddr ending in /p2p/<peer id>"))
        #expect(problems.contains("3: 'bootstrap' in [ipfs]: '/ip4/127.0.0.1/tcp/1/p2p/bogus' is not a valid multiaddr: contains bogus"))
        #expect(problems.contains("4: 'allow-net' in [ipfs]: 'bogus:*' is not a valid pattern: contains bogus"))
        #expect(problems.contains { $0.hasPrefix("5:") && $0.contains("routers-typo") }, "\(problems)")
        #expect(problems.count == 6, "\(problems)")
    }

    @Test("a router list that is not an array of strings is refused")
    func wrongType() throws {
        let folder = try ConfigFolder()
        try folder.write("station.toml", "[ipfs]\nrouters = \"https://cid.contact\"\n")
        let problems = folder.problems()
        #expect(problems.count == 1)
        #expect(problems.first?.message.contains("'routers'") == true, "\(problems)")
    }
}

import Foundation
import IPFSRouting
import Libp2p
import Multiformats
import Testing
@testable import IPFS

/// The routing v1 answer parser and the provider helpers, without sockets.
struct RoutingAnswerParserTests {
    private let peerA = PrivateKey().peerID
    private let peerB = PrivateKey().peerID
    private let source = "http://router.example"

    private func peerJSON(_ peer: PeerID, addrs: [String] = ["/ip4/1.2.3.4/tcp/4001"], protocols: [String]? = ["transport-bitswap"], schema: String = "peer") -> String {
        var fields = ["\"Schema\":\"\(schema)\"", "\"ID\":\"\(peer)\"", "\"Addrs\":[\(addrs.map { "\"\($0)\"" }.joined(separator: ","))]"]
        if let protocols { fields.append("\"Protocols\":[\(protocols.map { "\"\($0)\"" }.joined(separator: ","))]") }
        return "{" + fields.joined(separator: ",") + "}"
    }

    @Test func jsonAnswerKeepsPeerRecords() throws {
        let body = "{\"Providers\":[\(peerJSON(peerA)),\(peerJSON(peerB, addrs: ["/ip4/5.6.7.8/tcp/80/http"], protocols: ["transport-ipfs-gateway-http"])),{\"Schema\":\"bitswap\",\"ID\":\"x\"}]}"
        var parser = RoutingAnswerParser(format: .json, source: source)
        #expect(try parser.feed(Array(body.utf8)).isEmpty)
        let records = try parser.finish()
        #expect(records.map(\.peer) == [peerA, peerB])
        #expect(records[0].protocols == ["transport-bitswap"])
        #expect(records[0].source == source)
        #expect(records[1].gatewayURLs == ["http://5.6.7.8:80"])
        #expect(records[0].dialableAddresses.map(\.description) == ["/ip4/1.2.3.4/tcp/4001/p2p/\(peerA)"])
        #expect(parser.skippedRecords == 1)
    }

    @Test func ndjsonYieldsEachRecordWhenItsLineEnds() throws {
        let text = peerJSON(peerA) + "\n" + peerJSON(peerB)
        var parser = RoutingAnswerParser(format: .ndjson, source: source)
        let split = text.utf8.count - 10
        let first = try parser.feed(Array(text.utf8.prefix(split)))
        #expect(first.map(\.peer) == [peerA])
        #expect(try parser.feed(Array(text.utf8.dropFirst(split))).isEmpty)
        #expect(try parser.finish().map(\.peer) == [peerB])
    }

    @Test func emptyAndNullProvidersMeanNone() throws {
        for body in ["{\"Providers\":null}", "{\"Providers\":[]}", "{}"] {
            var parser = RoutingAnswerParser(format: .json, source: source)
            _ = try parser.feed(Array(body.utf8))
            #expect(try parser.finish().isEmpty)
        }
    }

    @Test func garbageAddressesAreDroppedAndCounted() throws {
        let line = peerJSON(peerA, addrs: ["not a multiaddr", "/ip4/999.1.1.1/tcp/1", "/ip4/10.0.0.1/tcp/4001", "/dns4/example.org/tcp/443/tls/http", "/ip4/1.1.1.1/udp/4001/quic-v1"],
                            protocols: ["transport-bitswap", "transport-ipfs-gateway-http", "with space", ""])
        var parser = RoutingAnswerParser(format: .ndjson, source: source)
        let records = try parser.feed(Array((line + "\n").utf8))
        let record = try #require(records.first)
        #expect(record.addresses.count == 3)
        #expect(record.droppedAddresses == 2)
        #expect(record.protocols == ["transport-bitswap", "transport-ipfs-gateway-http"])
        #expect(record.dialableAddresses.map(\.description) == ["/ip4/10.0.0.1/tcp/4001/p2p/\(peerA)"])
        #expect(record.gatewayURLs == ["https://example.org:443"])
    }

    @Test func recordsWithBadIDsOrNonObjectsAreSkipped() throws {
        let text = "{\"Schema\":\"peer\",\"ID\":\"QmNotAPeer\"}\n42\n\"string\"\n{\"Schema\":\"peer\"}\n" + peerJSON(peerA) + "\n"
        var parser = RoutingAnswerParser(format: .ndjson, source: source)
        #expect(try parser.feed(Array(text.utf8)).map(\.peer) == [peerA])
        #expect(parser.skippedRecords == 4)
    }

    @Test func repeatedPeersCountOnce() throws {
        let text = String(repeating: peerJSON(peerA) + "\n", count: 50)
        var parser = RoutingAnswerParser(format: .ndjson, limits: RoutingAnswerLimits(maxProviders: 3), source: source)
        #expect(try parser.feed(Array(text.utf8)).count == 1)
        #expect(!parser.isDone)
    }

    @Test func providerCapStopsReading() throws {
        let peers = (0 ..< 10).map { _ in PrivateKey().peerID }
        let text = peers.map { peerJSON($0) + "\n" }.joined()
        var parser = RoutingAnswerParser(format: .ndjson, limits: RoutingAnswerLimits(maxProviders: 4), source: source)
        let records = try parser.feed(Array(text.utf8))
        #expect(records.map(\.peer) == Array(peers.prefix(4)))
        #expect(parser.isDone)
        #expect(try parser.feed(Array(text.utf8)).isEmpty)
        #expect(try parser.finish().isEmpty)
    }

    @Test func endlessNDJSONIsCutAtTheByteCap() throws {
        var parser = RoutingAnswerParser(format: .ndjson, limits: RoutingAnswerLimits(maxAnswerBytes: 4096), source: source)
        let blank = Array(String(repeating: "{\"Schema\":\"other\"}\n", count: 100).utf8)
        var rounds = 0
        while !parser.isDone && rounds < 1000 {
            _ = try parser.feed(blank)
            rounds += 1
        }
        #expect(parser.isDone)
        #expect(parser.bytesRead == 4096)
        #expect(rounds < 10)
    }

    @Test func longLinesAndLargeJSONAreRefused() throws {
        var ndjson = RoutingAnswerParser(format: .ndjson, limits: RoutingAnswerLimits(maxLineBytes: 100), source: source)
        #expect(throws: DelegatedRoutingError.lineTooLong(limit: 100)) { _ = try ndjson.feed([UInt8](repeating: UInt8(ascii: "a"), count: 101)) }
        var json = RoutingAnswerParser(format: .json, limits: RoutingAnswerLimits(maxAnswerBytes: 100), source: source)
        _ = try json.feed([UInt8](repeating: UInt8(ascii: " "), count: 60))
        #expect(throws: DelegatedRoutingError.answerTooLarge(limit: 100)) { _ = try json.feed([UInt8](repeating: UInt8(ascii: " "), count: 60)) }
    }

    @Test func malformedAnswersAreErrors() throws {
        for body in ["not json", "[1,2]", "{\"Providers\":{}}", ""] {
            var parser = RoutingAnswerParser(format: .json, source: source)
            _ = try parser.feed(Array(body.utf8))
            #expect(throws: DelegatedRoutingError.self) { _ = try parser.finish() }
        }
        var lines = RoutingAnswerParser(format: .ndjson, source: source)
        #expect(throws: DelegatedRoutingError.self) { _ = try lines.feed(Array("{broken\n".utf8)) }
        // Deep nesting is refused by the JSON reader, not a crash.
        var deep = RoutingAnswerParser(format: .json, source: source)
        _ = try deep.feed(Array((String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)).utf8))
        #expect(throws: DelegatedRoutingError.self) { _ = try deep.finish() }
    }

    @Test func contentTypes() {
        #expect(RoutingAnswerParser.Format(contentType: "application/json; charset=utf-8") == .json)
        #expect(RoutingAnswerParser.Format(contentType: "Application/X-NDJSON") == .ndjson)
        #expect(RoutingAnswerParser.Format(contentType: "text/html") == nil)
        #expect(RoutingAnswerParser.Format(contentType: "") == nil)
    }

    @Test func gatewayAndDialAddresses() throws {
        func url(_ text: String) throws -> String? { ProviderAddresses.gatewayURL(try Multiaddr(text)) }
        #expect(try url("/ip4/127.0.0.1/tcp/8080/http") == "http://127.0.0.1:8080")
        #expect(try url("/ip6/::1/tcp/8080/http") == "http://[::1]:8080")
        #expect(try url("/dns/gw.example/tcp/443/tls/sni/gw.example/http") == "https://gw.example:443")
        #expect(try url("/ip4/127.0.0.1/tcp/8080") == nil)
        #expect(try url("/ip4/127.0.0.1/tcp/0/http") == nil)
        #expect(try url("/ip4/127.0.0.1/tcp/443/wss") == nil)
        let other = PrivateKey().peerID
        #expect(ProviderAddresses.libp2pDialAddress(try Multiaddr("/ip4/1.2.3.4/tcp/1/p2p/\(other)"), peer: peerA) == nil)
        #expect(ProviderAddresses.libp2pDialAddress(try Multiaddr("/ip4/1.2.3.4/tcp/1/p2p/\(peerA)"), peer: peerA)?.description == "/ip4/1.2.3.4/tcp/1/p2p/\(peerA)")
        #expect(ProviderAddresses.libp2pDialAddress(try Multiaddr("/ip4/1.2.3.4/tcp/1/ws"), peer: peerA) == nil)
        #expect(ProviderAddresses.libp2pDialAddress(try Multiaddr("/dnsaddr/bootstrap.libp2p.io"), peer: peerA) == nil)
    }

    @Test func cacheKeysByMultihashAndExpires() throws {
        let block = Block(data: Array("cached".utf8), codec: .dagPB, version: 0)
        let record = ProviderRecord(peer: peerA, addresses: [], protocols: [], source: source)
        let cache = ProviderCache(lifetime: .seconds(3600), capacity: 2)
        cache.store([record], for: block.cid, source: source)
        #expect(cache.records(for: block.cid.toV1(), source: source) == [record])
        #expect(cache.records(for: block.cid, source: "http://other") == nil)
        cache.store([], for: block.cid, source: "http://empty")
        #expect(cache.count == 1)
        for index in 0 ..< 3 {
            cache.store([record], for: Block(data: [UInt8(index)], codec: .raw, version: 1).cid, source: source)
        }
        #expect(cache.count == 2)
        #expect(cache.records(for: block.cid, source: source) == nil)
        let expired = ProviderCache(lifetime: .zero)
        expired.store([record], for: block.cid, source: source)
        #expect(expired.records(for: block.cid, source: source) == nil)
    }
}

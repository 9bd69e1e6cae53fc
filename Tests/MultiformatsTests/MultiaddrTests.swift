import Testing
@testable import Multiformats

@Suite struct MultiaddrTests {
    /// Text and binary pairs produced with the independent Python package `multiaddr` 0.2.0:
    ///   pip install multiaddr==0.2.0
    ///   python -c "from multiaddr import Multiaddr; m = Multiaddr(S); print(str(m), m.to_bytes().hex())"
    static let pythonVectors: [(text: String, hex: String)] = [
        ("/ip4/127.0.0.1/tcp/4001", "047f000001060fa1"),
        ("/ip6/::1/tcp/4001", "2900000000000000000000000000000001060fa1"),
        ("/ip6/2001:db8::ff00:42:8329/udp/4001/quic-v1", "2920010db8000000000000ff000042832991020fa1cd03"),
        ("/dns4/example.com/tcp/443/wss", "360b6578616d706c652e636f6d0601bbde03"),
        ("/dnsaddr/bootstrap.libp2p.io/p2p/QmNnooDu7bfjPFoTZYxMNLWUQJyrVwtbZg5gBMjTezGAJN",
         "3813626f6f7473747261702e6c69627032702e696fa50322122006b3608aa000274049eb28ad8e793a26ff6fab281a7d3bd77cd18eb745dfaabb"),
        ("/ip4/1.2.3.4/tcp/80/ws/p2p/12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA",
         "0401020304060050dd03a503260024080112202ffa35a99d3a3cfbb17bb7c1dc5561b18a8dcca4df38dc613ea859c37eb1336b"),
        ("/ip4/0.0.0.0/udp/65535/quic-v1/webtransport", "04000000009102ffffcd03d103"),
        ("/dns6/x.y/tcp/1/tls/ws", "3703782e79060001c003dd03"),
        ("/ip4/1.2.3.4/tcp/1/noise", "0401020304060001c603"),
        ("/ip6/::ffff:1.2.3.4/tcp/5", "2900000000000000000000ffff01020304060005"),
        ("/ip6/fe80::1/tcp/5", "29fe800000000000000000000000000001060005"),
        ("/ip4/1.2.3.4/tcp/4001/p2p/QmNnooDu7bfjPFoTZYxMNLWUQJyrVwtbZg5gBMjTezGAJN/p2p-circuit/p2p/12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA",
         "0401020304060fa1a50322122006b3608aa000274049eb28ad8e793a26ff6fab281a7d3bd77cd18eb745dfaabba202a503260024080112202ffa35a99d3a3cfbb17bb7c1dc5561b18a8dcca4df38dc613ea859c37eb1336b"),
        ("/ip4/1.2.3.4/tcp/80/http", "0401020304060050e003"),
        ("/ip6zone/eth0/ip6/fe80::1/tcp/1", "2a046574683029fe800000000000000000000000000001060001"),
        ("/dns/localhost/tcp/1/tls/sni/example.com/ws", "35096c6f63616c686f7374060001c003c1030b6578616d706c652e636f6ddd03"),
        ("/ip4/127.0.0.1/udp/1234/quic-v1/webtransport/certhash/uEiDDq4_xNyDorZBH3TlGazyJdOWSwvo4PUo5YHFMrvDE8g",
         "047f000001910204d2cd03d103d203221220c3ab8ff13720e8ad9047dd39466b3c8974e592c2fa383d4a3960714caef0c4f2"),
    ]

    @Test func matchesPythonTextAndBinary() throws {
        for vector in Self.pythonVectors {
            let address = try Multiaddr(vector.text)
            #expect(Base16.encode(address.bytes) == vector.hex, "\(vector.text)")
            #expect(address.description == vector.text)
            let decoded = try Multiaddr(bytes: Base16.decode(vector.hex))
            #expect(decoded == address)
        }
    }

    @Test func normalisesTextForms() throws {
        // Python multiaddr 0.2.0 prints '/ip6/0:0:0:0:0:0:0:0/tcp/0' as '/ip6/::/tcp/0'.
        #expect(try Multiaddr("/ip6/0:0:0:0:0:0:0:0/tcp/0").description == "/ip6/::/tcp/0")
        // Legacy /ipfs/ is read as /p2p/.
        let legacy = try Multiaddr("/ipfs/QmNnooDu7bfjPFoTZYxMNLWUQJyrVwtbZg5gBMjTezGAJN")
        #expect(legacy.description == "/p2p/QmNnooDu7bfjPFoTZYxMNLWUQJyrVwtbZg5gBMjTezGAJN")
        // Peer IDs written as libp2p-key CIDs are stored as their multihash; python multiaddr
        // prints '/p2p/bafzaa…' as the same base58 text.
        let asCID = try Multiaddr("/p2p/bafzaajaiaejcahwr5d5ofrfbis4l5d6uwr57hu5tjodrypfm6yaq6dsc2r2pzyt6")
        #expect(asCID.description == "/p2p/12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq")
        #expect(try Multiaddr("/p2p/k51qzi5uqu5dgy8qsq67hbz73jqkw87l3fgf4a91qb0d9b5173tir7n4vxk1oe") == asCID)
        // A trailing slash is tolerated.
        #expect(try Multiaddr("/ip4/1.2.3.4/tcp/5/") == Multiaddr("/ip4/1.2.3.4/tcp/5"))
    }

    @Test func buildsFromComponents() throws {
        let address = Multiaddr(components: [.ip4(try #require(IPv4Address("10.0.0.1"))), .tcp(4001), .ws])
        #expect(address.description == "/ip4/10.0.0.1/tcp/4001/ws")
        #expect(address.components.map(\.protocol) == [.ip4, .tcp, .ws])
        #expect(address.components[1].textValue == "4001")
        #expect(address.components[2].textValue == nil)
    }

    @Test func encapsulatesAndDecapsulates() throws {
        let transport = try Multiaddr("/ip4/1.2.3.4/tcp/4001")
        let peer = try Multiaddr("/p2p/QmNnooDu7bfjPFoTZYxMNLWUQJyrVwtbZg5gBMjTezGAJN")
        let full = transport.encapsulate(peer)
        #expect(full.description == "/ip4/1.2.3.4/tcp/4001/p2p/QmNnooDu7bfjPFoTZYxMNLWUQJyrVwtbZg5gBMjTezGAJN")
        #expect(full.decapsulate(peer) == transport)
        #expect(full.decapsulate(try Multiaddr("/tcp/4001")).description == "/ip4/1.2.3.4")
        #expect(full.decapsulate(.tcp).description == "/ip4/1.2.3.4")
        #expect(full.decapsulate(try Multiaddr("/udp/1")) == full)
        #expect(full.decapsulate(.ws) == full)
        #expect(transport.encapsulate(.ws).description == "/ip4/1.2.3.4/tcp/4001/ws")
        // The last occurrence is removed.
        let twice = try Multiaddr("/ip4/1.2.3.4/tcp/1/ws/tcp/1/ws")
        #expect(twice.decapsulate(try Multiaddr("/tcp/1")).description == "/ip4/1.2.3.4/tcp/1/ws")
    }

    @Test func extractsDialTargetsAndPeerID() throws {
        let address = try Multiaddr("/ip4/127.0.0.1/tcp/4001/ws/p2p/12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA")
        let target = try #require(address.tcpHostPort)
        #expect(target.host == "127.0.0.1")
        #expect(target.port == 4001)
        #expect(address.udpHostPort == nil)
        let peer = try #require(address.peerID)
        #expect(peer.code == Multicodec.identity.rawValue)
        #expect(Base58.encode(peer.bytes) == "12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA")
        #expect(address.withoutPeerID.description == "/ip4/127.0.0.1/tcp/4001/ws")

        let ip6 = try #require(try Multiaddr("/ip6/::1/tcp/1").tcpHostPort)
        #expect(ip6.host == "::1")
        let dns = try #require(try Multiaddr("/dns4/example.com/tcp/443/wss").tcpHostPort)
        #expect(dns.host == "example.com")
        #expect(dns.port == 443)
        let quic = try #require(try Multiaddr("/ip4/1.2.3.4/udp/9/quic-v1").udpHostPort)
        #expect(quic.port == 9)
        #expect(try Multiaddr("/dnsaddr/bootstrap.libp2p.io").tcpHostPort == nil)
        #expect(try Multiaddr("/ip4/1.2.3.4/udp/9").tcpHostPort == nil)
        #expect(try Multiaddr("/ip4/1.2.3.4").peerID == nil)
    }

    @Test func buildsDialAddressesFromHostAndPort() throws {
        #expect(try Multiaddr.tcp(host: "127.0.0.1", port: 4001).description == "/ip4/127.0.0.1/tcp/4001")
        #expect(try Multiaddr.tcp(host: "::1", port: 80).description == "/ip6/::1/tcp/80")
        #expect(try Multiaddr.tcp(host: "[::1]", port: 80).description == "/ip6/::1/tcp/80")
        #expect(try Multiaddr.udp(host: "example.com", port: 443).description == "/dns/example.com/udp/443")
        #expect(throws: MultiformatsError.self) { try Multiaddr.tcp(host: "", port: 1) }
        #expect(throws: MultiformatsError.self) { try Multiaddr.tcp(host: "a/b", port: 1) }
    }

    @Test func rejectsMalformedText() {
        let cases: [(String, MultiformatsError)] = [
            ("", .multiaddrBadSyntax("")),
            ("/", .multiaddrBadSyntax("/")),
            ("ip4/1.2.3.4", .multiaddrBadSyntax("ip4/1.2.3.4")),
            ("/ip4//tcp/1", .multiaddrBadValue(protocolName: "ip4", value: "")),
            ("/ip4/1.2.3.4//tcp/1", .multiaddrBadSyntax("/ip4/1.2.3.4//tcp/1")),
            ("/ip4/256.0.0.1", .multiaddrBadValue(protocolName: "ip4", value: "256.0.0.1")),
            ("/ip4", .multiaddrBadValue(protocolName: "ip4", value: "")),
            ("/ip6/1::2::3", .multiaddrBadValue(protocolName: "ip6", value: "1::2::3")),
            ("/ip4/1.2.3.4/tcp/65536", .multiaddrBadValue(protocolName: "tcp", value: "65536")),
            ("/ip4/1.2.3.4/tcp/-1", .multiaddrBadValue(protocolName: "tcp", value: "-1")),
            ("/ip4/1.2.3.4/tcp/+80", .multiaddrBadValue(protocolName: "tcp", value: "+80")),
            ("/ip4/1.2.3.4/udp/99999999999999999999", .multiaddrBadValue(protocolName: "udp", value: "99999999999999999999")),
            ("/ip4/1.2.3.4/smtp/25", .multiaddrUnknownProtocol("smtp")),
            ("/p2p/QmNotBase58Because0", .multiaddrBadValue(protocolName: "p2p", value: "QmNotBase58Because0")),
            ("/p2p/bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e",
             .multiaddrBadValue(protocolName: "p2p", value: "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e")),
            ("/certhash/xyz", .multiaddrBadValue(protocolName: "certhash", value: "xyz")),
        ]
        for (text, error) in cases {
            #expect(throws: error, "\(text)") { try Multiaddr(text) }
        }
        // Over-long input is refused, and the error keeps only a short prefix of it.
        let huge = "/dns/" + String(repeating: "a", count: 3000)
        #expect(throws: MultiformatsError.multiaddrBadSyntax(String(huge.prefix(120)))) { try Multiaddr(huge) }
    }

    @Test func rejectsMalformedBinary() throws {
        let address = try Multiaddr("/dns4/example.com/tcp/443/p2p/QmNnooDu7bfjPFoTZYxMNLWUQJyrVwtbZg5gBMjTezGAJN")
        let good = address.bytes
        // Cuts at component boundaries are valid shorter addresses; every other cut must throw.
        var boundaries: Set<Int> = []
        for count in 1 ... address.components.count {
            boundaries.insert(Multiaddr(components: Array(address.components.prefix(count))).bytes.count)
        }
        #expect(boundaries.count == 3)
        for cut in 1 ..< good.count where !boundaries.contains(cut) {
            #expect(throws: MultiformatsError.self, "cut \(cut)") { try Multiaddr(bytes: good.prefix(cut)) }
        }
        #expect(throws: MultiformatsError.self) { try Multiaddr(bytes: [UInt8]()) }
        #expect(throws: MultiformatsError.multiaddrUnknownProtocol("code 0x3e7")) { try Multiaddr(bytes: [0xE7, 0x07]) }
        #expect(throws: MultiformatsError.multiaddrTruncated) { try Multiaddr(bytes: [0x04, 1, 2]) }
        // A variable-length value that claims more bytes than remain.
        #expect(throws: MultiformatsError.multiaddrTruncated) { try Multiaddr(bytes: [0x35, 0x7F, 0x61]) }
        // Invalid UTF-8 and "/" inside a DNS name.
        #expect(throws: MultiformatsError.self) { try Multiaddr(bytes: [0x35, 0x02, 0xC3, 0x28]) }
        #expect(throws: MultiformatsError.self) { try Multiaddr(bytes: [0x35, 0x03, 0x61, 0x2F, 0x62]) }
        // A p2p value that is not a multihash, and a non-minimal protocol code.
        #expect(throws: MultiformatsError.self) { try Multiaddr(bytes: [0xA5, 0x03, 0x02, 0x12, 0x20]) }
        #expect(throws: MultiformatsError.varintNotMinimal) { try Multiaddr(bytes: [0x84, 0x00, 1, 2, 3, 4]) }
    }

    /// Deterministic pseudo-random garbage: every input must throw or decode, never crash,
    /// and anything that decodes must re-encode to the same bytes.
    @Test func survivesGarbage() throws {
        var random = SeededBytes(seed: 0x9E37_79B9_7F4A_7C15)
        let seeds: [[UInt8]] = [[0x04], [0x29], [0x06], [0xA5, 0x03], [0x35], [0xD2, 0x03]]
        var decodedCount = 0
        for round in 0 ..< 3000 {
            let input = random.bytes(after: seeds[round % seeds.count], maxExtra: 24)
            if let address = try? Multiaddr(bytes: input) {
                decodedCount += 1
                #expect(address.bytes == input)
                #expect((try? Multiaddr(address.description)) == address)
            }
        }
        #expect(decodedCount > 0)
        #expect(decodedCount < 3000)

        let alphabet = Array("/ip46tcpudns0123456789.:abcdefwsq-v")
        for _ in 0 ..< 3000 {
            let text = random.string(from: alphabet, length: Int(random.next() % 40))
            if let address = try? Multiaddr(text) {
                #expect(try Multiaddr(bytes: address.bytes) == address)
            }
        }
    }
}

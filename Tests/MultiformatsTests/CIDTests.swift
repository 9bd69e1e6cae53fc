import Testing
@testable import Multiformats

@Suite struct CIDTests {
    // Debian ipfs-cid: `printf 'hello world' > hw.txt && ipfs_cid hw.txt` prints
    // {"CIDv0":"Qmf412jQZiuVUtdgnB36FXFX7xg5V6KEbSJ4dpQuhkLyfD",
    //  "CIDv1":"bafybeihykld7uyxzogax6vgyvag42y7464eywpf55gxi5qpoisibh3c5wa"}
    static let ipfsCIDv0 = "Qmf412jQZiuVUtdgnB36FXFX7xg5V6KEbSJ4dpQuhkLyfD"
    static let ipfsCIDv1 = "bafybeihykld7uyxzogax6vgyvag42y7464eywpf55gxi5qpoisibh3c5wa"

    @Test func convertsV0ToV1LikeIpfsCid() throws {
        let v0 = try CID(Self.ipfsCIDv0)
        #expect(v0.version == .v0)
        #expect(v0.codec == Multicodec.dagPB.rawValue)
        #expect(v0.description == Self.ipfsCIDv0)
        // python: CID.decode('Qmf412…').set(version=1).encode('base32') gives the same v1 string.
        #expect(v0.toV1().description == Self.ipfsCIDv1)
        #expect(try CID(Self.ipfsCIDv1) == v0.toV1())
        // python: bytes(CID.decode('Qmf412…')).hex()
        #expect(Base16.encode(v0.bytes) == "1220f852c7fa62f971817f54d8a80dcd63fcf7098b3cbde9ae8ec1ee449013ec5db0")
        // python: CID.decode('Qmf412…').set(version=1) (keeps base58btc)
        #expect(v0.toV1().string(base: .base58btc) == "zdj7Wn9FQAURCP6MbwcWuzi7u65kAsXCdjNTkhbJcoaXBusq9")
    }

    /// The example CIDv1 from the multiformats/cid README and its v0 form, checked with python:
    /// `CID.decode('bafybeigdyrzt5…').set(base='base58btc').set(version=0)`.
    @Test func readsSpecExample() throws {
        let cid = try CID("bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi")
        #expect(cid.version == .v1)
        #expect(cid.contentCodec == .dagPB)
        #expect(cid.multihash.function == .sha2_256)
        let v0 = try CID.v0(cid.multihash)
        #expect(v0.description == "QmbWqxBEKC3P8tqsKc98xmWNzrzDtRLMiMPL8wBuTGsMnR")
    }

    /// python: `CID.decode('zb2rhe5P4gXftAwvA4eXQ5HJwsER2owDyS9sKaQRRVQPn93bA')` (multiformats/cid README)
    /// is raw/sha2-256, base32 "bafkreidon73z…", bytes 01551220 6e6f….
    @Test func readsBase58btcV1() throws {
        let cid = try CID("zb2rhe5P4gXftAwvA4eXQ5HJwsER2owDyS9sKaQRRVQPn93bA")
        #expect(cid.contentCodec == .raw)
        #expect(cid.description == "bafkreidon73zkcrwdb5iafqtijxildoonbwnpv7dyd6ef3qdgads2jc4su")
        #expect(Base16.encode(cid.bytes) == "015512206e6ff7950a36187a801613426e858dce686cd7d7e3c0fc42ee0330072d245c95")
    }

    /// python: `mh = multihash.digest(b'hello world','sha2-256'); r = CID('base32',1,'raw',mh)`
    /// then `r.encode(base)` for each base, and `CID('base32',1,'dag-cbor',mh)`.
    @Test func encodesLikePythonInEveryBase() throws {
        let cid = CID.sha256(Array("hello world".utf8), codec: .raw)
        let expected: [(Multibase, String)] = [
            (.base32, "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e"),
            (.base36, "k2cwued9o1pvrt3q271rrqbo49x30tbxwpoeaq75z14e5ui2rzygpbe1"),
            (.base58btc, "zb2rhj7crUKTQYRGCRATFaQ6YFLTde2YzdqbbhAASkL9uRDXn"),
            (.base64URL, "uAVUSILlNJ7mTTT4IpS5S19p9q_rEhO_jelOA7pCI96zi783p"),
            (.base16, "f01551220b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"),
        ]
        for (base, text) in expected {
            #expect(cid.string(base: base) == text)
            #expect(try CID(text) == cid)
        }
        #expect(cid.description == expected[0].1)
        let cbor = CID.sha256(Array("hello world".utf8), codec: .dagCBOR)
        #expect(cbor.description == "bafyreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e")
    }

    /// python: `CID('base32',1,'raw',multihash.digest(b'hello world','identity'))` and
    /// `CID('base36',1,'libp2p-key',multihash.digest(bytes.fromhex('0801122…'),'identity'))`.
    @Test func handlesIdentityAndLibp2pKeyCIDs() throws {
        let inline = CID.v1(codec: .raw, multihash: .identity(Array("hello world".utf8)))
        #expect(inline.description == "bafkqac3imvwgy3zao5xxe3de")
        #expect(Base16.encode(inline.bytes) == "0155000b68656c6c6f20776f726c64")

        let publicKey = try Base16.decode("080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e")
        let key = CID.v1(codec: .libp2pKey, multihash: .identity(publicKey))
        #expect(key.string(base: .base36) == "k51qzi5uqu5dgy8qsq67hbz73jqkw87l3fgf4a91qb0d9b5173tir7n4vxk1oe")
        #expect(key.description == "bafzaajaiaejcahwr5d5ofrfbis4l5d6uwr57hu5tjodrypfm6yaq6dsc2r2pzyt6")
    }

    @Test func v0StringInOtherBasesIsTheV1Form() throws {
        let v0 = try CID(Self.ipfsCIDv0)
        #expect(v0.string(base: .base58btc) == Self.ipfsCIDv0)
        #expect(v0.string(base: .base32) == Self.ipfsCIDv1)
    }

    @Test func decodesPrefixFromBufferWithNonZeroStart() throws {
        let v0 = try CID(Self.ipfsCIDv0)
        let v1 = CID.sha256(Array("block".utf8), codec: .raw)
        let buffer: [UInt8] = [0xEE] + v0.bytes + v1.bytes + [0x01, 0x02]
        let (first, firstLength) = try CID.decodePrefix(from: buffer[1...])
        #expect(first == v0)
        #expect(firstLength == 34)
        let (second, secondLength) = try CID.decodePrefix(from: buffer[(1 + firstLength)...])
        #expect(second == v1)
        #expect(secondLength == 36)
        #expect(throws: MultiformatsError.trailingBytes(2)) { try CID(bytes: buffer[(1 + firstLength)...]) }
    }

    @Test func hashesAndComparesByValue() throws {
        let a = try CID(Self.ipfsCIDv1)
        let b = try CID(bytes: a.bytes)
        #expect(Set([a, b, a.toV1()]).count == 1)
        #expect(try CID(Self.ipfsCIDv0) != a)
    }

    @Test func rejectsInvalidV0() throws {
        let sha512 = Multihash.sha512(Array("x".utf8))
        #expect(throws: MultiformatsError.cidV0RequiresSHA256) { try CID.v0(sha512) }
        #expect(throws: MultiformatsError.cidV0RequiresDagPB(codec: 0x55)) {
            try CID(version: .v0, codec: 0x55, multihash: .sha256(Array("x".utf8)))
        }
        // A CIDv0 must not be multibase encoded: 'z' + base58(0x12 0x20 …).
        #expect(throws: MultiformatsError.self) { try CID("z" + Self.ipfsCIDv0) }
        // "Qm" strings of the wrong length are not v0, and have no valid multibase prefix.
        #expect(throws: MultiformatsError.self) { try CID(String(Self.ipfsCIDv0.dropLast())) }
        // Right length, but a character outside base58.
        #expect(throws: MultiformatsError.self) { try CID("Qmf412jQZiuVUtdgnB36FXFX7xg5V6KEbSJ4dpQuhkLyf0") }
    }

    @Test func rejectsHostileBinary() throws {
        let good = CID.sha256(Array("x".utf8), codec: .raw).bytes
        // Wrong digest length: sha2-256 declaring 31 bytes.
        var wrongLength = good
        wrongLength[3] = 0x1F
        wrongLength.removeLast()
        #expect(throws: MultiformatsError.multihashWrongDigestLength(code: 0x12, expected: 32, actual: 31)) {
            try CID(bytes: wrongLength)
        }
        for cut in 0 ..< good.count {
            #expect(throws: MultiformatsError.self) { try CID(bytes: good.prefix(cut)) }
        }
        #expect(throws: MultiformatsError.cidUnsupportedVersion(2)) { try CID(bytes: [0x02, 0x55, 0x00, 0x00]) }
        #expect(throws: MultiformatsError.cidUnsupportedVersion(0)) { try CID(bytes: [0x00, 0x70, 0x12, 0x20]) }
        #expect(throws: MultiformatsError.varintNotMinimal) { try CID(bytes: [0x81, 0x00, 0x55, 0x00, 0x00]) }
        #expect(throws: MultiformatsError.cidTruncated) { try CID(bytes: [0x01]) }
        #expect(throws: MultiformatsError.cidTruncated) { try CID(bytes: [0x01, 0x80]) }
    }

    @Test func rejectsHostileText() {
        for text in ["", "b", "bafy", "Qm", "bAFY!!", "z", "🚀🚀🚀", "k\u{0}", String(repeating: "b", count: CID.maxStringLength + 1)] {
            #expect(throws: MultiformatsError.self, "\(text.prefix(20))") { try CID(text) }
        }
    }

    @Test func describesErrorsReadably() {
        #expect(MultiformatsError.cidUnsupportedVersion(3).description == "CID version 3 is not supported (only 0 and 1)")
        #expect(MultiformatsError.cidTruncated.description.contains("truncated"))
    }

    /// Deterministic garbage: CID and multihash decoding must throw or round-trip, never crash.
    @Test func survivesGarbage() throws {
        var random = SeededBytes(seed: 7)
        let prefixes: [[UInt8]] = [[0x12, 0x20], [0x01, 0x55, 0x12, 0x20], [0x01, 0x70, 0x00], [0x01], [0x00]]
        var decoded = 0
        for round in 0 ..< 3000 {
            let input = random.bytes(after: prefixes[round % prefixes.count], maxExtra: 40)
            if let cid = try? CID(bytes: input) {
                decoded += 1
                #expect(cid.bytes == input)
                #expect((try? CID(cid.description)) == cid)
            }
            if let multihash = try? Multihash(bytes: input) {
                #expect(multihash.bytes == input)
            }
        }
        #expect(decoded > 0)

        let alphabet = Array("bafkreiQmzk0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ=_-+/ ")
        for _ in 0 ..< 2000 {
            let text = random.string(from: alphabet, length: Int(random.next() % 70))
            if let cid = try? CID(text) {
                #expect(try CID(bytes: cid.bytes) == cid)
            }
            _ = try? Multibase.decode(text)
        }
    }
}

import Foundation

/// Hex helpers for test vectors.
enum Hex {
    static func decode(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            bytes.append(UInt8(text[index ..< next], radix: 16) ?? 0)
            index = next
        }
        return bytes
    }
}

/// Keys and signatures made by Python `cryptography` 50.0.2 and peer IDs computed by py-libp2p 0.8.1.
enum Vectors {
    static let message = Array("station libp2p signature vector".utf8)
    static let secp256k1PublicKey = Hex.decode("0204b8ea91315967e5f1e5f0982a844180b104a5b6e054d68ffebddd0bbccb05e2")
    static let secp256k1Signature = Hex.decode("3044022051111b50923b1313386990649c7ad0e7c1b82dd61d8a1862365cf4480f7c9279022070466d01ddc16be469e248d6f18d845844fedd166fc9322bd49f58653918acd2")
    static let secp256k1PeerID = "16Uiu2HAkuk79kXPVyYs5kDp91bdnyJ8ocQ2TudyxHWrRFGaVouhs"
    static let p256PublicKey = Hex.decode("3059301306072a8648ce3d020106082a8648ce3d03010703420004135b05a6310a56ff4b1f8bb15ff5406b15550a6305ebc2f5da241f9fab824d6fbd7ce1c1ebc55bae90edeb24ae4db579788457cdb6ac3da36ebcbb0f3e358064")
    static let p256Signature = Hex.decode("304502202a7185b31e2766a95e8fa8af2624a94dc0ebb26797047d164c70adff0e76692a022100e6e6299ac030a49a4bf5ba0b75c9d5faa0c06f2c3b2c312c31f8085de56753e4")
    static let rsaPublicKey = Hex.decode("30820122300d06092a864886f70d01010105000382010f003082010a0282010100a7e1378036ffd30c85983480f0de750ff4aba984543ea3b6ff38b23ea0b6f6ecc074b165655ba721c25f98567c8f28d64f5c5deff267eb8ab56bdb8efa4ee650a0cd0ad34e91922f44d57673e7fc7d07e30b1fcf4d48bdc9669c5e2c1fbbcc7e6b31a558b5087728f59ac716f04f09c9862e3905ff49fd0bada2f9d1c11ebdc6089884c52f967f2c235a4fb4ded27c9cdc4a7ac83ea970cc484750374a674f7e89a775de0e2bcd94cf33d189bcfe09a68c6c66e09bcb6818e8ab26d06205c4dcca5a6dc67ed5cf654abe902dcbcf0334e46fd09b9a2b3f810b52fb92698aa29e0a2942a625f997f54daf5e62fdc832654fe538b6b224367383e13d21d50551b90203010001")
    static let rsaSignature = Hex.decode("50a60e3d6c586cc7ffb8c0452e19cb099fc39bb43b6a7ee21d76feb83bc445cb422b74216b4ae86cbc354e58b7a7d2bd63d9e51868bb3731429d8c8f735063a622e59119334ff7ae7fba1608c2d7370e8884ca3a01e6b77c7b24e0fc852f4eec2f8ea749efc27e4ef82c9a926477702ba0f75f5583821b83fbb1517052e22ad07d226caff9a987d8dfa6c99675bc2edd34db497be4469337da446f1cc00fd0abfec12752bc4ba95493e67157eb94647f16bdda030cbd5b703f5aef5f2ecb09dd2ee9de9beef716a0c0ebecca0bff708bd14f3c4015d8aef5c94d367a01ca85648e4fb39b76abacef3d9be872ee706e98d18f468cac7d811859fea3a4bc012f94")
    static let rsaPeerID = "QmabovKQ5JRc1WjqtAUL8FosuSWhj2LMinZS6bVFsKYW9P"
    /// The Ed25519 public key 00 01 02 … 1f and its peer ID.
    static let ed25519PeerID = "12D3KooW9pP4Seg3kZYhySpuVjn1RPdQBsUFZKiFxGMGQN5MeL6A"
}

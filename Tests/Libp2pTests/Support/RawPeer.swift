import Crypto
import Foundation
import Multiformats
import NIOCore
import NIOPosix
@testable import Libp2p

/// A hand-driven TCP peer for hostile-case tests: it speaks multistream-select and Noise itself
/// (so it can break the rules at any step) and then exchanges Yamux frames.
final class RawPeer: @unchecked Sendable {
    private let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
    private var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private var received = ByteBuffer()
    private var sendCipher = NoiseCipherState()
    private var receiveCipher = NoiseCipherState()
    private var plaintext = ByteBuffer()
    private(set) var closedByRemote = false

    /// Connects to `address`; `source` binds the local end first (e.g. 127.0.0.2, to look like
    /// another host on loopback).
    init(connectingTo address: Multiaddr, from source: String? = nil) async throws {
        guard let (host, port) = address.tcpHostPort else { throw Libp2pError.unsupportedAddress(address.description) }
        var bootstrap = ClientBootstrap(group: TestHosts.group)
        if let source { bootstrap = bootstrap.bind(to: try SocketAddress(ipAddress: source, port: 0)) }
        channel = try await bootstrap.connect(host: host, port: Int(port)) { channel in
            channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
        }
        inbound = channel.inbound.makeAsyncIterator()
        outbound = channel.outbound
    }

    /// Sends raw bytes.
    func send(_ bytes: [UInt8]) async throws {
        try await outbound.write(ByteBuffer(bytes: bytes))
    }

    /// Reads more raw bytes; false when the remote closed.
    private func fill() async throws -> Bool {
        let next: ByteBuffer?
        do {
            next = try await inbound.next()
        } catch {
            // A reset or an I/O error on a closed socket also means the remote hung up.
            next = nil
        }
        guard var chunk = next else {
            closedByRemote = true
            return false
        }
        received.writeBuffer(&chunk)
        return true
    }

    /// Reads one multistream line.
    func readLine() async throws -> String {
        while true {
            if let line = try MultistreamCodec.decode(&received) { return line }
            guard try await fill() else { throw Libp2pError.connectionClosed }
        }
    }

    /// Reads one 2-byte-length-prefixed Noise message.
    func readNoiseMessage() async throws -> [UInt8] {
        while true {
            if let length = received.getInteger(at: received.readerIndex, as: UInt16.self), received.readableBytes >= 2 + Int(length) {
                received.moveReaderIndex(forwardBy: 2)
                return received.readBytes(length: Int(length)) ?? []
            }
            guard try await fill() else { throw Libp2pError.connectionClosed }
        }
    }

    /// Waits until the remote closes the connection (throws on deadline via the caller).
    func waitForClose() async throws {
        while try await fill() {}
    }

    /// Negotiates /noise and runs the XX handshake as initiator; `tamper` may corrupt our payload.
    /// Returns the remote's peer ID.
    @discardableResult
    func secure(identity: PrivateKey = PrivateKey(), tamper: (inout NoiseHandshakePayload) -> Void = { _ in }) async throws -> PeerID {
        try await send(MultistreamCodec.encode(MultistreamCodec.header) + MultistreamCodec.encode("/noise"))
        guard try await readLine() == MultistreamCodec.header, try await readLine() == "/noise" else {
            throw Libp2pError.multistreamMalformed("remote refused /noise")
        }
        var handshake = NoiseXXHandshake(role: .initiator, staticKey: .init())
        try await sendNoise(try handshake.writeMessage1())
        let payload2 = try handshake.readMessage2(try await readNoiseMessage())
        let remoteStatic = Array(handshake.remoteStatic?.rawRepresentation ?? Data())
        let remoteKey = try NoiseHandshakePayload(decoding: payload2).verify(remoteNoiseStaticKey: remoteStatic)
        var ours = try NoiseHandshakePayload(identity: identity, noiseStaticKey: handshake.localStaticPublicKey)
        tamper(&ours)
        try await sendNoise(try handshake.writeMessage3(payload: ours.encoded))
        (sendCipher, receiveCipher) = handshake.split()
        return remoteKey.peerID
    }

    private func sendNoise(_ message: [UInt8]) async throws {
        try await send([UInt8(message.count >> 8), UInt8(message.count & 0xFF)] + message)
    }

    /// Encrypts and sends plaintext as one Noise transport message.
    func sendSecure(_ bytes: [UInt8]) async throws {
        var output = ByteBuffer()
        try bytes.withUnsafeBytes { pointer in try sendCipher.encrypt(pointer, appendingTo: &output) }
        try await sendNoise(Array(output.readableBytesView))
    }

    /// Reads one decrypted plaintext chunk into the plaintext buffer.
    private func fillSecure() async throws -> Bool {
        let message: [UInt8]
        do {
            message = try await readNoiseMessage()
        } catch Libp2pError.connectionClosed {
            return false
        }
        let data = try message.withUnsafeBytes { pointer in try receiveCipher.decrypt(pointer) }
        plaintext.writeBytes(data)
        return true
    }

    /// Negotiates /yamux/1.0.0 inside the secure channel.
    func negotiateYamux() async throws {
        try await sendSecure(MultistreamCodec.encode(MultistreamCodec.header) + MultistreamCodec.encode("/yamux/1.0.0"))
        var lines: [String] = []
        while lines.count < 2 {
            if let line = try MultistreamCodec.decode(&plaintext) {
                lines.append(line)
            } else if try await !fillSecure() {
                throw Libp2pError.connectionClosed
            }
        }
        guard lines == [MultistreamCodec.header, "/yamux/1.0.0"] else { throw Libp2pError.multistreamMalformed("\(lines)") }
    }

    /// Sends one Yamux frame.
    func sendFrame(_ frame: YamuxFrame) async throws {
        var buffer = ByteBuffer()
        frame.encode(into: &buffer)
        try await sendSecure(Array(buffer.readableBytesView))
    }

    /// Reads the next Yamux frame, or nil when the remote closed.
    func readFrame() async throws -> YamuxFrame? {
        let decoder = YamuxFrameDecoder()
        while true {
            if let frame = try decoder.decode(&plaintext) { return frame }
            guard try await fillSecure() else { return nil }
        }
    }

    /// Closes our side.
    func close() async {
        outbound.finish()
        try? await channel.channel.close()
    }

    deinit {
        // NIOAsyncWriter traps if it is released unfinished.
        outbound.finish()
        channel.channel.close(promise: nil)
    }
}

import NIOCore
import Testing
@testable import Libp2p

@Suite struct MultistreamNegotiatorTests {
    /// Feeds each side's output to the other until both agree; returns the agreed protocols.
    private func converse(_ dialer: inout MultistreamNegotiator, _ listener: inout MultistreamNegotiator) throws -> (String?, String?) {
        var toListener = ByteBuffer(bytes: dialer.start())
        var toDialer = ByteBuffer(bytes: listener.start())
        var dialerResult: String?
        var listenerResult: String?
        for _ in 0 ..< 10 {
            while listenerResult == nil, let line = try MultistreamCodec.decode(&toListener) {
                switch try listener.receive(line) {
                case .continue: break
                case .send(let bytes): toDialer.writeBytes(bytes)
                case .agreed(let name, let bytes): listenerResult = name; toDialer.writeBytes(bytes)
                }
            }
            while dialerResult == nil, let line = try MultistreamCodec.decode(&toDialer) {
                switch try dialer.receive(line) {
                case .continue: break
                case .send(let bytes): toListener.writeBytes(bytes)
                case .agreed(let name, let bytes): dialerResult = name; toListener.writeBytes(bytes)
                }
            }
        }
        return (dialerResult, listenerResult)
    }

    @Test func fallsBackToSecondProposal() throws {
        var dialer = MultistreamNegotiator.dialer(proposing: ["/a/2", "/a/1"])
        var listener = MultistreamNegotiator.listener(supported: { $0 == "/a/1" })
        let (dialerAgreed, listenerAgreed) = try converse(&dialer, &listener)
        #expect(dialerAgreed == "/a/1")
        #expect(listenerAgreed == "/a/1")
    }

    @Test func failsWhenNothingIsSupported() {
        var dialer = MultistreamNegotiator.dialer(proposing: ["/x"])
        var listener = MultistreamNegotiator.listener(supported: { _ in false })
        #expect(throws: Libp2pError.protocolNotSupported(["/x"])) { _ = try converse(&dialer, &listener) }
    }

    @Test func rejectsWrongHeader() {
        var listener = MultistreamNegotiator.listener(supported: { _ in true })
        #expect(throws: Libp2pError.self) { try listener.receive("/multistream/2.0.0") }
    }
}

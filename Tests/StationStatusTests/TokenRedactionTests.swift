import Foundation
import Testing
@testable import StationStatus

@Suite("The status token stays out of API answers")
struct TokenRedactionTests {
    @Test("activity, status, metrics and action answers never carry the token")
    func tokenNeverServed() async throws {
        let token = StatusToken.generate()
        // What the daemon used to record at start, plus texts a module or a failure could carry.
        let leaky = ModuleSnapshot(
            name: "leaky", version: "1", source: "ipfs://bafy\(token)", state: .backoff,
            reason: "trap after reading \(token)", lastActivity: "dashboard: http://127.0.0.1:7834/#token=\(token)")
        let activity = [
            ActivityEntry(time: Fixtures.now, module: "station", level: "info", message: "dashboard: http://127.0.0.1:7834/#token=\(token) (token also in STATE/status.json)"),
            ActivityEntry(time: Fixtures.now, module: "leaky", level: "error", message: "\(token)\(token)"),
        ]
        let provider = FixedProvider(snapshot: Fixtures.snapshot(extraModules: [leaky]), activity: activity)
        try await withServer(provider: provider, token: token) { port, token async throws in
            var answers = [
                try await call(port: port, "/api/v1/activity", token: token),
                try await call(port: port, "/api/v1/status", token: token),
                try await call(port: port, "/metrics", token: token),
            ]
            for answer in answers { #expect(answer.status == 200) }
            // Error answers echo the provider's message.
            let rejected = try await call(.POST, port: port, "/api/v1/modules/leaky/update", token: token, body: Data(#"{"cid":"Qm\#(token)"}"#.utf8))
            #expect(rejected.status == 400)
            answers.append(rejected)
            for answer in answers {
                #expect(!answer.text.contains(token), "\(answer.text)")
            }

            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            let entries = try decoder.decode([ActivityEntry].self, from: answers[0].body)
            #expect(entries.map(\.message) == [
                "dashboard: http://127.0.0.1:7834/#token=[redacted] (token also in STATE/status.json)",
                "[redacted][redacted]",
            ])
            let status = try decoder.decode(DaemonSnapshot.self, from: answers[1].body)
            let module = try #require(status.modules.first { $0.name == "leaky" })
            #expect(module.reason == "trap after reading [redacted]")
            #expect(module.source == "ipfs://bafy[redacted]")
            #expect(try rejected.json()["error"] as? String == "'Qm[redacted]' is not a CID")
        }
    }

    @Test("texts without the token are untouched; short test tokens are not searched for")
    func redactor() {
        let redact = SecretRedactor(secret: "0123456789abcdef")
        #expect(redact("nothing to hide") == "nothing to hide")
        #expect(redact("a0123456789abcdefb") == "a[redacted]b")
        #expect(redact(Fixtures.snapshot()) == Fixtures.snapshot())
        #expect(redact(Fixtures.activity()) == Fixtures.activity())
        #expect(SecretRedactor(secret: "tok")("stock token") == "stock token")
    }
}

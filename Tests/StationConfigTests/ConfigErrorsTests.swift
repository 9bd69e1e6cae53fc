import Testing
@testable import StationConfig

@Suite("ConfigErrors")
struct ConfigErrorsTests {
    @Test("a problem prints as file:line: message, with the column when known")
    func problemDescription() {
        #expect(ConfigProblem(file: "/etc/station.toml", line: 3, message: "bad").description == "/etc/station.toml:3: bad")
        #expect(ConfigProblem(file: "/etc/station.toml", line: 3, column: 7, message: "bad").description == "/etc/station.toml:3:7: bad")
        #expect(ConfigProblem(file: "/etc/station.toml", line: nil, message: "no such file").description == "/etc/station.toml: no such file")
    }

    @Test("problems are sorted by file, then line, then column, keeping the order of equals")
    func sorting() {
        let errors = ConfigErrors(problems: [
            ConfigProblem(file: "b.toml", line: 1, message: "b1"),
            ConfigProblem(file: "a.toml", line: 9, message: "a9"),
            ConfigProblem(file: "a.toml", line: 2, column: 5, message: "a2c5"),
            ConfigProblem(file: "a.toml", line: nil, message: "a-first"),
            ConfigProblem(file: "a.toml", line: 2, column: 1, message: "a2c1"),
            ConfigProblem(file: "a.toml", line: 9, message: "a9-second"),
        ])
        #expect(errors.problems.map(\.message) == ["a-first", "a2c1", "a2c5", "a9", "a9-second", "b1"])
        #expect(errors.description == """
        a.toml: a-first
        a.toml:2:1: a2c1
        a.toml:2:5: a2c5
        a.toml:9: a9
        a.toml:9: a9-second
        b.toml:1: b1
        """)
    }

    @Test("unknown keys get the nearest known key as a suggestion, when it is close")
    func suggestions() {
        let known = ["initial-backoff", "max-backoff", "jitter", "max-failures"]
        #expect(Suggestions.nearest(to: "max-backof", in: known) == "max-backoff")
        #expect(Suggestions.nearest(to: "max_failures", in: known) == "max-failures")
        #expect(Suggestions.nearest(to: "jiter", in: known) == "jitter")
        #expect(Suggestions.nearest(to: "colour", in: known) == nil)
    }
}

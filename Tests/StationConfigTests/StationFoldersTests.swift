import Testing
@testable import StationConfig

@Suite struct StationFoldersTests {
    struct Row: Sendable, CustomTestStringConvertible {
        var kind: StationFolders.Kind
        var explicit: String?
        var environment: [String: String]
        var expected: String
        var testDescription: String { "\(kind) \(explicit ?? "-") \(environment.sorted { $0.key < $1.key }) → \(expected)" }
    }

    static let home = ["HOME": "/home/ann"]

    static let rows: [Row] = [
        Row(kind: .state, explicit: nil, environment: home, expected: "/home/ann/.local/state/station"),
        Row(kind: .cache, explicit: nil, environment: home, expected: "/home/ann/.cache/station"),
        Row(kind: .state, explicit: nil, environment: home.merging(["XDG_STATE_HOME": "/x/state"]) { $1 }, expected: "/x/state/station"),
        // A relative XDG folder is ignored, as the XDG spec says.
        Row(kind: .state, explicit: nil, environment: home.merging(["XDG_STATE_HOME": "rel"]) { $1 }, expected: "/home/ann/.local/state/station"),
        // STATE_ROOT wins over XDG, and is the folder itself (no /station appended).
        Row(kind: .state, explicit: nil, environment: home.merging(["STATE_ROOT": "/srv/st", "XDG_STATE_HOME": "/x"]) { $1 }, expected: "/srv/st"),
        Row(kind: .cache, explicit: nil, environment: home.merging(["CACHE_ROOT": "~/c", "XDG_CACHE_HOME": "/x"]) { $1 }, expected: "/home/ann/c"),
        // The old STATION_STATE_ROOT is not read any more: one variable everywhere.
        Row(kind: .state, explicit: nil, environment: home.merging(["STATION_STATE_ROOT": "/old"]) { $1 }, expected: "/home/ann/.local/state/station"),
        // An explicit folder wins; relative ones are taken against the base folder.
        Row(kind: .state, explicit: "data/../st", environment: home.merging(["STATE_ROOT": "/srv/st"]) { $1 }, expected: "/work/st"),
        Row(kind: .state, explicit: "", environment: home.merging(["STATE_ROOT": "/srv/st"]) { $1 }, expected: "/srv/st"),
        Row(kind: .state, explicit: nil, environment: home.merging(["STATE_ROOT": ""]) { $1 }, expected: "/home/ann/.local/state/station"),
    ]

    @Test(arguments: rows)
    func resolves(row: Row) {
        #expect(StationFolders.resolve(row.kind, explicit: row.explicit, environment: row.environment, base: "/work") == row.expected)
    }

    @Test func ruleNamesTheVariables() {
        #expect(StationFolders.rule(.state) == "$STATE_ROOT, else $XDG_STATE_HOME/station, else ~/.local/state/station")
        #expect(StationFolders.rule(.cache).hasPrefix("$CACHE_ROOT"))
    }
}

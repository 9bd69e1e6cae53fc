import Foundation
import SandboxEngine
import StationConfig
import StationDaemon
import StationHost
import Testing

@Suite("The limits catalog and the limits each module gets")
struct LimitCatalogTests {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func document(_ path: String) throws -> String {
        try String(contentsOf: packageRoot.appendingPathComponent(path), encoding: .utf8)
    }

    /// The `[limits]` table of docs/daemon-config.md, as the catalog and the defaults make it.
    static var daemonConfigTable: String {
        var lines = [
            "| key | type | `station run` option | daemon default | meaning |",
            "|---|---|---|---|---|",
        ]
        // What a module gets in the daemon when its manifest says nothing (and no budget is shared).
        let daemonDefaults = ResolvedLimits(asked: ModuleLimits(), defaults: DaemonDefaults.moduleLimits).moduleLimits
        for entry in LimitCatalog.all {
            let option = entry.option.map { "`--\($0)`" } ?? "—"
            let daemonDefault = entry.formatted(daemonDefaults) ?? "none"
            lines.append("| `\(entry.key)` | \(entry.typeDescription) | \(option) | \(daemonDefault) | \(entry.summary) |")
        }
        return lines.joined(separator: "\n")
    }

    @Test("docs/daemon-config.md's [limits] table is the catalog's, with the daemon's real defaults")
    func daemonConfigDocs() throws {
        let text = try Self.document("docs/daemon-config.md")
        let found = text.contains(Self.daemonConfigTable)
        #expect(found, "replace the [limits] table of docs/daemon-config.md with:\n\(Self.daemonConfigTable)")
    }

    @Test("docs/limits.md has a row for every station run option of the catalog, with its real default")
    func limitsDocs() throws {
        let text = try Self.document("docs/limits.md")
        for entry in LimitCatalog.all {
            guard let option = entry.option else { continue }
            let runDefault = entry.formatted(RunDefaults.moduleLimits) ?? "none"
            let row = "| `--\(option) \(entry.valueName)` | \(runDefault) |"
            let found = text.contains(row)
            #expect(found, "docs/limits.md needs a row starting: \(row)")
        }
    }

    @Test("every catalog key is a field the config loader reads back")
    func everyKeyIsRead() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("limits-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let limits = LimitCatalog.all.map { "\($0.key) = \($0.example.allSatisfy(\.isNumber) ? $0.example : "\"\($0.example)\"")" }
        try "name = \"m\"\nversion = \"1.0.0\"\nwasm = \"m.wat\"\n\n[limits]\n\(limits.joined(separator: "\n"))\n"
            .write(to: folder.appendingPathComponent("module.toml"), atomically: true, encoding: .utf8)
        try "(module)".write(to: folder.appendingPathComponent("m.wat"), atomically: true, encoding: .utf8)
        let manifest = try ConfigLoader.loadManifest(path: folder.appendingPathComponent("module.toml").path)
        for entry in LimitCatalog.all {
            #expect(entry.formatted(manifest.limits) != nil, "\(entry.key) = \(entry.example) was not read")
        }
    }

    /// (asked memory, default memory, the budget's share, expected).
    static let memoryCases: [(UInt64?, UInt64?, UInt64?, UInt64)] = [
        (64 << 20, 128 << 20, 32 << 20, 32 << 20),
        (64 << 20, 128 << 20, nil, 64 << 20),
        (nil, 128 << 20, nil, 128 << 20),
        (nil, nil, nil, Limits.defaults.memoryBytes),
    ]

    @Test("a limit resolves from the budget's share, then what was asked, then the defaults, then the runtime's own", arguments: memoryCases)
    func memoryPrecedence(asked: UInt64?, defaulted: UInt64?, share: UInt64?, expected: UInt64) {
        var askedLimits = ModuleLimits()
        askedLimits.memoryBytes = asked
        var defaults = ModuleLimits()
        defaults.memoryBytes = defaulted
        let shares = share.map { EffectiveLimits(memoryBytes: $0, cpuPercent: nil, storageBytes: 0, kvQuotaBytes: 0, ipfsQuotaBytes: 0) }
        #expect(ResolvedLimits(asked: askedLimits, defaults: defaults, shares: shares).engine.memoryBytes == expected)
    }

    static let cpuCases: [(Double?, Double?)] = [(10, 0.10), (25, 0.25), (0.01, 0.001), (100, nil), (nil, nil)]

    @Test("CPU percent becomes the engine's share; 100 or nothing means unthrottled", arguments: cpuCases)
    func cpuShare(percent: Double?, share: Double?) {
        var asked = ModuleLimits()
        asked.cpuPercent = percent
        #expect(ResolvedLimits(asked: asked, defaults: ModuleLimits()).engine.cpuShare == share)
    }

    @Test("the station ABI caps come from the same resolution: asked, then defaults, then the ABI's own")
    func stationCaps() {
        var asked = ModuleLimits()
        asked.maxResponseBytes = 1 << 20
        asked.netRateBytes = 4096
        let daemon = ResolvedLimits(asked: asked, defaults: DaemonDefaults.moduleLimits)
        var configuration = StationModuleConfiguration(identity: StationIdentity(moduleName: "m"))
        daemon.apply(to: &configuration)
        #expect(configuration.maxHandles == DaemonDefaults.moduleLimits.maxHandles)
        #expect(configuration.networkLimits.maxResponseBytes == 1 << 20)
        #expect(configuration.networkLimits.bytesPerSecond == 4096)
        let run = ResolvedLimits(asked: ModuleLimits(), defaults: RunDefaults.moduleLimits)
        #expect(run.maxHandles == StationModuleConfiguration(identity: StationIdentity(moduleName: "m")).maxHandles)
        #expect(run.engine.stackBytes == Limits.defaults.stackBytes)
    }
}

import Foundation
import Sandbox
import StationConfig
import StationHost

/// What every module supervisor of one daemon shares.
struct DaemonContext: Sendable {
    let configuration: DaemonConfiguration
    let layout: DaemonLayout
    let events: DaemonEvents
    let jobs: JobLedger
    let database: DaemonDatabase
    let node: SharedP2PNode?
    let content: SharedContent?
    let code: ModuleCode
    let engine: EngineChoice
    let backoff: Backoff
}

/// The limits a module gets when its manifest and the budget leave them open (docs/daemon.md).
public enum DaemonDefaults {
    /// Defaults for `[limits]`: small enough that a handful of modules go unnoticed.
    public static var moduleLimits: ModuleLimits {
        var limits = ModuleLimits()
        limits.memoryBytes = 128 << 20
        limits.cpuPercent = 25
        limits.storageBytes = 256 << 20
        limits.kvQuotaBytes = 16 << 20
        limits.ipfsQuotaBytes = 256 << 20
        limits.maxHandles = 256
        limits.hangAfter = .seconds(300)
        return limits
    }
}

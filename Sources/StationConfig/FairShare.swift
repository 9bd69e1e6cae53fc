import Foundation
import SandboxEngine
import Units

/// The limits a module actually runs with once the daemon's `[budget]` has been divided.
public struct EffectiveLimits: Sendable, Hashable {
    /// Linear memory.
    public var memoryBytes: UInt64
    /// Percent of one core; nil means not throttled (no module limit, no default, no budget).
    public var cpuPercent: Double?
    /// Files in the data folder.
    public var storageBytes: UInt64
    /// Key-value store quota; 0 when `kv` is not granted.
    public var kvQuotaBytes: UInt64
    /// Block store quota; 0 when `ipfs` is not granted.
    public var ipfsQuotaBytes: UInt64

    public init(memoryBytes: UInt64, cpuPercent: Double?, storageBytes: UInt64, kvQuotaBytes: UInt64, ipfsQuotaBytes: UInt64) {
        self.memoryBytes = memoryBytes
        self.cpuPercent = cpuPercent
        self.storageBytes = storageBytes
        self.kvQuotaBytes = kvQuotaBytes
        self.ipfsQuotaBytes = ipfsQuotaBytes
    }

    /// Memory a module asks for when neither its manifest nor the defaults passed to ``FairShare/plan(budget:modules:defaults:)``
    /// say (the daemon's always do): the sandbox's own default.
    public static let fallbackMemoryBytes: UInt64 = Limits.defaults.memoryBytes
    /// CPU a module asks for when it has no limit: one whole core (100).
    public static let fallbackCPUPercent: Double = 100
    /// Files a module asks for when nothing says: the sandbox's default storage quota.
    public static let fallbackStorageBytes: UInt64 = Limits.defaults.storageBytes
    /// Key-value quota when nothing says: 64 MiB (the KV store's default).
    public static let fallbackKVQuotaBytes: UInt64 = 64 << 20
    /// Block store quota when nothing says: 1 GiB.
    public static let fallbackIPFSQuotaBytes: UInt64 = 1 << 30

    /// What the module's data folder may hold: files plus the key-value store, saturating at
    /// `UInt64.max` (without a storage budget each part is as asked, and two parts near 16 EiB
    /// would overflow a plain `+`).
    public var dataFolderBytes: UInt64 {
        let (sum, overflow) = storageBytes.addingReportingOverflow(kvQuotaBytes)
        return overflow ? .max : sum
    }

    /// Every share on one line, as `station daemon --check` prints it: memory, cpu, then the three
    /// storage parts (a part whose grant is missing reads "not granted").
    ///
    /// Example: `memory 64 MiB, 10.0% cpu, files 100 MiB, kv 16 MiB, ipfs not granted`.
    public func summary(grants: ModuleGrants) -> String {
        func part(_ name: String, _ granted: Bool, _ bytes: UInt64) -> String {
            granted ? "\(name) \(Units.formatBytes(bytes))" : "\(name) not granted"
        }
        let cpu = cpuPercent.map { String(format: "%.1f%% cpu", $0) } ?? "no cpu cap"
        return [
            "memory \(Units.formatBytes(memoryBytes))", cpu,
            part("files", grants.files, storageBytes), part("kv", grants.kv, kvQuotaBytes), part("ipfs", grants.ipfs, ipfsQuotaBytes),
        ].joined(separator: ", ")
    }
}

/// Max-min fair division of the daemon's `[budget]` among its modules.
///
/// The rule (water-filling): nobody gets more than they asked for. If the requests fit in the
/// total, everyone gets their request. Otherwise the total is poured out evenly: a request smaller
/// than an equal share is met in full, and what it leaves over is shared equally by the rest, until
/// everyone left asks for more than the equal share of what remains; they each get that share.
///
/// Example: total 100, requests 10, 50, 80 → 10, 45, 45.
///
/// Byte counts are divided in exact integer arithmetic: requests may add up past `UInt64.max`
/// (each size can be up to 16 EiB), and no share, nor the parts of a storage share, ever adds up
/// to more than the budget. Example: a 1 GiB storage budget and one module asking 2⁶³ bytes of
/// files plus 2⁶³ bytes of KV (together 2⁶⁴, one more than `UInt64.max`) → 512 MiB + 512 MiB.
public enum FairShare {
    /// Divides `total` among `requests`, max-min fairly.
    ///
    /// The result has one entry per request, none above its request, and sums to
    /// `min(total, sum of requests)` (up to rounding). Negative or NaN requests count as 0; a
    /// non-positive (or NaN) total gives everyone 0, an infinite one gives everyone their request.
    public static func divide(total: Double, requests: [Double]) -> [Double] {
        let asks = requests.map { $0.isNaN || $0 < 0 ? 0 : $0 }
        guard total > 0 else { return asks.map { _ in 0 } }
        // Everything fits; pouring it out would compute ∞ − ∞ (NaN) for infinite requests.
        guard total.isFinite else { return asks }
        var shares = [Double](repeating: 0, count: asks.count)
        var remaining = total
        let order = asks.indices.sorted { asks[$0] < asks[$1] }
        for (position, index) in order.enumerated() {
            let left = order.count - position
            let equal = remaining / Double(left)
            if asks[index] <= equal {
                shares[index] = asks[index]
                remaining -= asks[index]
            } else {
                for rest in order[position...] { shares[rest] = equal }
                return shares
            }
        }
        return shares
    }

    /// Divides `total` among `requests` in whole units, max-min fairly.
    ///
    /// The same rule in integers, exactly: the result sums to
    /// `min(total, sum of requests)`. When an equal share does not divide evenly, the units left
    /// over go one each to the earliest of the requests that are not met in full. Nothing is ever
    /// added up, so any requests (`UInt64.max` included) are safe: only what is left of `total` is
    /// subtracted from, by requests no larger than it.
    /// (Calls with only literals pick the `Double` version.)
    @_disfavoredOverload
    public static func divide(total: UInt64, requests: [UInt64]) -> [UInt64] {
        var shares = [UInt64](repeating: 0, count: requests.count)
        var remaining = total
        let order = requests.indices.sorted { requests[$0] < requests[$1] || (requests[$0] == requests[$1] && $0 < $1) }
        for (position, index) in order.enumerated() {
            let left = UInt64(order.count - position)
            let equal = remaining / left
            if requests[index] <= equal {
                shares[index] = requests[index]
                remaining -= requests[index]
            } else {
                var extra = remaining % left
                for rest in order[position...].sorted() {
                    shares[rest] = equal
                    if extra > 0 {
                        shares[rest] += 1  // every one left asked for more than `equal`
                        extra -= 1
                    }
                }
                return shares
            }
        }
        return shares
    }

    /// The effective limits of every enabled module under `budget`, keyed by module name.
    ///
    /// Disabled modules get no entry and no share. For each budget that is set:
    /// - **memory**: divided over the modules' memory requests (`[limits] memory`, else
    ///   `defaults.memoryBytes`, else 256 MiB). Without a memory budget each module gets its request.
    /// - **cpu**: divided over the modules' cpu requests (`[limits] cpu`, else `defaults.cpuPercent`,
    ///   else 100, one whole core). Without a cpu budget each module keeps its own limit (or the
    ///   default, or nil: not throttled).
    /// - **storage**: each module asks for its files storage if `files` is granted plus its `kv-quota` if `kv` is granted
    ///   plus its `ipfs-quota` if `ipfs` is granted (each from `[limits]`, else `defaults`, else
    ///   1 GiB / 64 MiB / 1 GiB). The budget is divided over these sums, and each part of a
    ///   module's sum is scaled by the same factor: part × share ÷ sum, rounded down. Sums and
    ///   products are computed exactly in 128 bits (a sum can pass `UInt64.max`; a sum above the
    ///   budget asks for the whole budget, which gets the same share), so a module's parts never
    ///   add up to more than its share. Without a storage budget each module gets its parts as
    ///   asked.
    public static func plan(budget: GlobalBudget, modules: [ModuleManifest], defaults: ModuleLimits) -> [String: EffectiveLimits] {
        let enabled = modules.filter(\.enabled)

        let memoryAsks = enabled.map { $0.limits.memoryBytes ?? defaults.memoryBytes ?? EffectiveLimits.fallbackMemoryBytes }
        let memory = budget.memoryBytes.map { divide(total: $0, requests: memoryAsks) } ?? memoryAsks

        let cpu: [Double?]
        if let total = budget.cpuPercent {
            let asks = enabled.map { $0.limits.cpuPercent ?? defaults.cpuPercent ?? EffectiveLimits.fallbackCPUPercent }
            cpu = divide(total: total, requests: asks)
        } else {
            cpu = enabled.map { $0.limits.cpuPercent ?? defaults.cpuPercent }
        }

        let parts: [(files: UInt64, kv: UInt64, ipfs: UInt64)] = enabled.map { module in
            let files = module.grants.files ? (module.limits.storageBytes ?? defaults.storageBytes ?? EffectiveLimits.fallbackStorageBytes) : 0
            let kv = module.grants.kv ? (module.limits.kvQuotaBytes ?? defaults.kvQuotaBytes ?? EffectiveLimits.fallbackKVQuotaBytes) : 0
            let ipfs = module.grants.ipfs ? (module.limits.ipfsQuotaBytes ?? defaults.ipfsQuotaBytes ?? EffectiveLimits.fallbackIPFSQuotaBytes) : 0
            return (files, kv, ipfs)
        }
        let storage: [(files: UInt64, kv: UInt64, ipfs: UInt64)]
        if let total = budget.storageBytes {
            // Three parts below 2⁶⁴ each: the exact sum needs at most 66 bits.
            let sums = parts.map { UInt128($0.files) + UInt128($0.kv) + UInt128($0.ipfs) }
            // Nobody can get more than `total`, so asking more than it is the same as asking for it.
            let asks = sums.map { UInt64(min($0, UInt128(total))) }
            let shares = divide(total: total, requests: asks)
            storage = zip(parts, zip(sums, shares)).map { part, pair in
                let (sum, share) = pair
                guard UInt128(share) < sum else { return part }
                // part × share < 2¹²⁸ and the quotient is at most `share`: exact, and the three
                // parts, each rounded down, add up to at most `share`.
                func scale(_ value: UInt64) -> UInt64 { UInt64(UInt128(value) * UInt128(share) / sum) }
                return (scale(part.files), scale(part.kv), scale(part.ipfs))
            }
        } else {
            storage = parts
        }

        var result: [String: EffectiveLimits] = [:]
        for (index, module) in enabled.enumerated() {
            result[module.name] = EffectiveLimits(
                memoryBytes: memory[index],
                cpuPercent: cpu[index],
                storageBytes: storage[index].files,
                kvQuotaBytes: storage[index].kv,
                ipfsQuotaBytes: storage[index].ipfs
            )
        }
        return result
    }
}

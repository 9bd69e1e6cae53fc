import Testing
@testable import StationConfig

@Suite("FairShare")
struct FairShareTests {
    @Test("requests that fit are met in full")
    func fits() {
        #expect(FairShare.divide(total: 100, requests: [10, 20, 30]) == [10, 20, 30])
        #expect(FairShare.divide(total: UInt64(100), requests: [10, 20, 70]) == [10, 20, 70])
    }

    @Test("small requests are met and the rest share equally")
    func waterFilling() {
        #expect(FairShare.divide(total: 100, requests: [10, 50, 80]) == [10, 45, 45])
        #expect(FairShare.divide(total: 90, requests: [80, 10, 50]) == [40, 10, 40])
        #expect(FairShare.divide(total: UInt64(100), requests: [10, 50, 80]) == [10, 45, 45])
        // Leftover units go to the earliest of the unmet requests.
        #expect(FairShare.divide(total: UInt64(10), requests: [9, 9, 9]) == [4, 3, 3])
        #expect(FairShare.divide(total: UInt64(11), requests: [1, 9, 9, 9]) == [1, 4, 3, 3])
    }

    @Test("edge cases: nothing to share, nobody asking, odd requests")
    func edges() {
        #expect(FairShare.divide(total: 0, requests: [5, 5]) == [0, 0])
        #expect(FairShare.divide(total: 10, requests: []) == [])
        #expect(FairShare.divide(total: 10, requests: [-3, .nan, 4]) == [0, 0, 4])
        #expect(FairShare.divide(total: .infinity, requests: [3, 4]) == [3, 4])
        #expect(FairShare.divide(total: UInt64(0), requests: [5]) == [0])
        #expect(FairShare.divide(total: UInt64.max, requests: [.max, .max]) == [UInt64.max / 2 + 1, UInt64.max / 2])
    }

    /// Rows of `divide` in whole units where the requests, or their sum, reach past `UInt64.max`.
    static let overflowRows: [(total: UInt64, requests: [UInt64], shares: [UInt64])] = [
        (.max, [.max, .max, .max], [.max / 3, .max / 3, .max / 3]),  // UInt64.max is 3 × 6148914691236517205
        (.max, [.max, 1], [.max - 1, 1]),
        (.max, [1 << 63, 1 << 63], [1 << 63, (1 << 63) - 1]),  // the sum is 2⁶⁴, one past the maximum
        (10, [.max, .max], [5, 5]),
        (1 << 30, [.max, 0, 100], [(1 << 30) - 100, 0, 100]),
        (0, [.max], [0]),
        (.max, [], []),
    ]

    @Test("requests of UInt64.max and sums past it are divided exactly")
    func overflowTable() {
        for row in Self.overflowRows {
            let shares = FairShare.divide(total: row.total, requests: row.requests)
            #expect(shares == row.shares, "total \(row.total), requests \(row.requests)")
            let sum = shares.reduce(UInt128(0)) { $0 + UInt128($1) }
            let asked = row.requests.reduce(UInt128(0)) { $0 + UInt128($1) }
            #expect(sum == min(UInt128(row.total), asked), "total \(row.total), requests \(row.requests)")
        }
    }

    @Test("infinite totals and requests do not give NaN shares")
    func infinities() {
        let rows: [(total: Double, requests: [Double], shares: [Double])] = [
            (.infinity, [.infinity, .infinity], [.infinity, .infinity]),
            (.infinity, [.infinity, 3], [.infinity, 3]),
            (100, [.infinity, 10], [90, 10]),
            (.nan, [1, 2], [0, 0]),
            (.greatestFiniteMagnitude, [.greatestFiniteMagnitude, .greatestFiniteMagnitude], [.greatestFiniteMagnitude / 2, .greatestFiniteMagnitude / 2]),
        ]
        for row in rows {
            #expect(FairShare.divide(total: row.total, requests: row.requests) == row.shares, "total \(row.total), requests \(row.requests)")
        }
    }

    @Test("properties hold for random inputs: never above the request, sums to min(total, sum), equal requests split equally")
    func properties() {
        var generator = SplitMix(seed: 7)
        for _ in 0..<500 {
            let count = Int(generator.next() % 8) + 1
            let requests = (0..<count).map { _ in generator.next() % 1000 }
            let total = generator.next() % 3000
            let shares = FairShare.divide(total: total, requests: requests)
            let sum = requests.reduce(0, +)
            #expect(shares.count == requests.count)
            #expect(zip(shares, requests).allSatisfy { $0 <= $1 })
            #expect(shares.reduce(0, +) == min(total, sum))
            // Max-min fairness: an unmet request gets at least as much as anyone else (within one unit).
            let largest = shares.max() ?? 0
            for (share, request) in zip(shares, requests) where share < request {
                #expect(share + 1 >= largest)
            }

            let doubles = FairShare.divide(total: Double(total), requests: requests.map { Double($0) })
            #expect(zip(doubles, requests).allSatisfy { $0 <= Double($1) + 1e-9 })
            #expect(abs(doubles.reduce(0, +) - Double(min(total, sum))) < 1e-6, "\(total) \(requests) \(doubles) \(shares)")

            let equal = FairShare.divide(total: Double(total), requests: Array(repeating: 500, count: count))
            #expect(Set(equal).count == 1)
            #expect(abs(equal[0] - min(500, Double(total) / Double(count))) < 1e-9)
        }
    }

    func module(_ name: String, memory: UInt64? = nil, cpu: Double? = nil, storage: UInt64? = nil, kv: UInt64? = nil, ipfs: UInt64? = nil,
                grantKV: Bool = false, grantIPFS: Bool = false, enabled: Bool = true) -> ModuleManifest {
        var manifest = ModuleManifest(file: "/m/\(name)/module.toml", name: name, version: "1", source: .cid("bafy"))
        manifest.limits.memoryBytes = memory
        manifest.limits.cpuPercent = cpu
        manifest.limits.storageBytes = storage
        manifest.limits.kvQuotaBytes = kv
        manifest.limits.ipfsQuotaBytes = ipfs
        manifest.grants.kv = grantKV
        manifest.grants.ipfs = grantIPFS
        manifest.grants.files = storage != nil
        manifest.enabled = enabled
        return manifest
    }

    @Test("a module without the files grant asks for no file storage")
    func noFilesNoStorage() {
        var manifest = module("plain", storage: 1 << 20)
        manifest.grants.files = false
        let plan = FairShare.plan(budget: GlobalBudget(storageBytes: 10 << 20), modules: [manifest, module("other", storage: 20 << 20)], defaults: ModuleLimits())
        #expect(plan["plain"]?.storageBytes == 0)
        #expect(plan["other"]?.storageBytes == 10 << 20)
    }

    @Test("plan without a budget gives every enabled module what it asks for")
    func planWithoutBudget() {
        let plan = FairShare.plan(budget: GlobalBudget(), modules: [
            module("a", memory: 64 << 20, cpu: 10, storage: 1 << 20, kv: 2 << 20, grantKV: true),
            module("b"),
            module("off", enabled: false),
        ], defaults: ModuleLimits())
        #expect(plan.keys.sorted() == ["a", "b"])
        #expect(plan["a"] == EffectiveLimits(memoryBytes: 64 << 20, cpuPercent: 10, storageBytes: 1 << 20, kvQuotaBytes: 2 << 20, ipfsQuotaBytes: 0))
        // b has no files grant, so no file storage.
        #expect(plan["b"] == EffectiveLimits(memoryBytes: 256 << 20, cpuPercent: nil, storageBytes: 0, kvQuotaBytes: 0, ipfsQuotaBytes: 0))
    }

    @Test("plan divides memory and cpu max-min fairly, using the defaults for modules that do not ask")
    func planMemoryAndCPU() {
        var defaults = ModuleLimits()
        defaults.memoryBytes = 128 << 20
        let plan = FairShare.plan(
            budget: GlobalBudget(memoryBytes: 256 << 20, cpuPercent: 120),
            modules: [module("small", memory: 32 << 20, cpu: 20), module("big", memory: 512 << 20), module("default"), module("off", memory: 1 << 30, enabled: false)],
            defaults: defaults)
        // Memory: 32 MiB is met; 224 MiB left for two: 112 each (both ask for more).
        #expect(plan["small"]?.memoryBytes == 32 << 20)
        #expect(plan["big"]?.memoryBytes == 112 << 20)
        #expect(plan["default"]?.memoryBytes == 112 << 20)
        // CPU: 20 is met; 100 left for two modules without a limit (each asking 100): 50 each.
        #expect(plan["small"]?.cpuPercent == 20)
        #expect(plan["big"]?.cpuPercent == 50)
        #expect(plan["default"]?.cpuPercent == 50)
        #expect(plan["off"] == nil)
    }

    @Test("plan scales each module's storage parts by the same factor")
    func planStorage() {
        let plan = FairShare.plan(
            budget: GlobalBudget(storageBytes: 400),
            modules: [
                module("files", storage: 100),
                module("all", storage: 300, kv: 100, ipfs: 200, grantKV: true, grantIPFS: true),
                module("kv-not-granted", storage: 50, kv: 1000),
            ],
            defaults: ModuleLimits())
        // Asks: 100, 600, 50 → 100 and 50 are met, 250 left for "all" (factor 250/600).
        #expect(plan["files"] == EffectiveLimits(memoryBytes: 256 << 20, cpuPercent: nil, storageBytes: 100, kvQuotaBytes: 0, ipfsQuotaBytes: 0))
        #expect(plan["kv-not-granted"]?.storageBytes == 50)
        #expect(plan["kv-not-granted"]?.kvQuotaBytes == 0)
        #expect(plan["all"]?.storageBytes == 125)
        #expect(plan["all"]?.kvQuotaBytes == 41)
        #expect(plan["all"]?.ipfsQuotaBytes == 83)
        let total = plan.values.reduce(UInt64(0)) { $0 + $1.storageBytes + $1.kvQuotaBytes + $1.ipfsQuotaBytes }
        #expect(total <= 400)
    }

    /// Storage rows whose requests add up past `UInt64.max`: (budget, modules, expected files/kv/ipfs per module).
    static let storageOverflowRows: [(label: String, budget: UInt64, modules: [(files: UInt64, kv: UInt64, ipfs: UInt64)], expected: [(UInt64, UInt64, UInt64)])] = [
        // 10 EiB of files and 10 EiB of KV: the sum passes UInt64.max. Half the budget each, not
        // 640 MiB each out of 1 GiB (the sum saturated at UInt64.max shrank the scale factor).
        ("1 GiB, 10 EiB + 10 EiB", 1 << 30, [(10 << 60, 10 << 60, 0)], [(512 << 20, 512 << 20, 0)]),
        // A sum above the budget next to a small request: the small one is met, the rest is split.
        ("1 GiB, 10 EiB + 10 EiB and 100 MiB", 1 << 30, [(10 << 60, 10 << 60, 0), (100 << 20, 0, 0)], [(462 << 20, 462 << 20, 0), (100 << 20, 0, 0)]),
        // Two parts of UInt64.max under a budget of UInt64.max: the share equals the saturated sum,
        // but the parts still have to be halved.
        ("max, max + max", .max, [(.max, .max, 0)], [(.max / 2, .max / 2, 0)]),
        // Three modules asking UInt64.max three times over: a third of the budget each, split in three.
        ("max, three × (max + max + max)", .max, Array(repeating: (files: UInt64.max, kv: UInt64.max, ipfs: UInt64.max), count: 3),
         Array(repeating: (UInt64.max / 9, UInt64.max / 9, UInt64.max / 9), count: 3)),
        // One byte short of the request: a floating-point factor rounds to 1 and UInt64(2⁶⁴) traps.
        ("max − 1, max", .max - 1, [(.max, 0, 0)], [(.max - 1, 0, 0)]),
    ]

    @Test("plan divides storage exactly when the requests add up past UInt64.max")
    func planStorageOverflow() {
        for row in Self.storageOverflowRows {
            let modules = row.modules.enumerated().map { index, parts in
                module("m\(index)", storage: parts.files, kv: parts.kv, ipfs: parts.ipfs, grantKV: true, grantIPFS: true)
            }
            let plan = FairShare.plan(budget: GlobalBudget(storageBytes: row.budget), modules: modules, defaults: ModuleLimits())
            var total = UInt128(0)
            for (index, expected) in row.expected.enumerated() {
                let limits = plan["m\(index)"]
                #expect(limits?.storageBytes == expected.0, "\(row.label): module \(index) files")
                #expect(limits?.kvQuotaBytes == expected.1, "\(row.label): module \(index) kv")
                #expect(limits?.ipfsQuotaBytes == expected.2, "\(row.label): module \(index) ipfs")
                total += UInt128(limits?.storageBytes ?? 0) + UInt128(limits?.kvQuotaBytes ?? 0) + UInt128(limits?.ipfsQuotaBytes ?? 0)
            }
            #expect(total <= UInt128(row.budget), "\(row.label): \(total) bytes handed out")
        }
    }

    @Test("plan never hands out more storage than the budget, whatever the requests")
    func planStorageProperties() {
        var generator = SplitMix(seed: 11)
        // Mostly huge values (near UInt64.max, where sums overflow), some small, some zero.
        func size() -> UInt64 {
            switch generator.next() % 4 {
            case 0: 0
            case 1: generator.next() % 1000
            default: generator.next() | (1 << 63)
            }
        }
        for _ in 0..<300 {
            let count = Int(generator.next() % 5) + 1
            let parts = (0..<count).map { _ in (files: size(), kv: size(), ipfs: size()) }
            let budget = generator.next() % 2 == 0 ? size() | 1 : generator.next() % 5000 + 1
            let modules = parts.enumerated().map { index, part in
                module("m\(index)", storage: part.files, kv: part.kv, ipfs: part.ipfs, grantKV: true, grantIPFS: true)
            }
            let plan = FairShare.plan(budget: GlobalBudget(storageBytes: budget), modules: modules, defaults: ModuleLimits())
            var total = UInt128(0)
            for (index, part) in parts.enumerated() {
                guard let limits = plan["m\(index)"] else {
                    Issue.record("module \(index) has no plan")
                    continue
                }
                #expect(limits.storageBytes <= part.files && limits.kvQuotaBytes <= part.kv && limits.ipfsQuotaBytes <= part.ipfs)
                total += UInt128(limits.storageBytes) + UInt128(limits.kvQuotaBytes) + UInt128(limits.ipfsQuotaBytes)
            }
            let asked = parts.reduce(UInt128(0)) { $0 + UInt128($1.files) + UInt128($1.kv) + UInt128($1.ipfs) }
            #expect(total <= UInt128(budget), "budget \(budget), parts \(parts)")
            if asked <= UInt128(budget) { #expect(total == asked) }
        }
    }

    @Test("dataFolderBytes adds files and KV without overflowing")
    func dataFolderBytes() {
        let rows: [(files: UInt64, kv: UInt64, sum: UInt64)] = [(100, 16, 116), (0, 0, 0), (.max, 1, .max), (.max, .max, .max), (1 << 63, 1 << 63, .max)]
        for row in rows {
            let limits = EffectiveLimits(memoryBytes: 0, cpuPercent: nil, storageBytes: row.files, kvQuotaBytes: row.kv, ipfsQuotaBytes: .max)
            #expect(limits.dataFolderBytes == row.sum, "\(row)")
        }
    }

    @Test("summary names every share: memory, cpu, files, kv and ipfs")
    func summary() {
        var grants = ModuleGrants()
        grants.files = true
        grants.kv = true
        let limits = EffectiveLimits(memoryBytes: 64 << 20, cpuPercent: 12.5, storageBytes: 100 << 20, kvQuotaBytes: 16 << 20, ipfsQuotaBytes: 0)
        #expect(limits.summary(grants: grants) == "memory 64 MiB, 12.5% cpu, files 100 MiB, kv 16 MiB, ipfs not granted")
        grants.ipfs = true
        let plan = FairShare.plan(budget: GlobalBudget(storageBytes: 1 << 30),
                                  modules: [module("big", storage: 10 << 60, kv: 10 << 60, grantKV: true)], defaults: ModuleLimits())
        #expect(plan["big"]?.summary(grants: grants) == "memory 256 MiB, no cpu cap, files 512 MiB, kv 512 MiB, ipfs 0 bytes")
    }
}

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
}

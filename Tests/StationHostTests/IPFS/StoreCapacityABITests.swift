import Foundation
import IPFS
import Multiformats
import Sandbox
import StationHost
import Testing

/// The shared block store's cap and garbage collection, driven the way a module drives it.
@Suite("station ABI: the block store stays under its cap")
struct StoreCapacityABITests {
    /// A module that calls `ipfs_put` on 8 KiB (a fresh counter in its first 4 bytes each round)
    /// then `ipfs_unpin` on the CID, `$rounds` times; returns the rounds done, or the error code.
    private func putUnpinLoop(rounds: Int) -> String {
        """
        (module
          (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
          (import "station" "last_error" (func $last_error (param i32 i32) (result i32)))
          (import "station" "ipfs_put" (func $ipfs_put (param i32 i32 i32 i32) (result i32)))
          (import "station" "ipfs_unpin" (func $ipfs_unpin (param i32 i32) (result i32)))
          (memory (export "memory") 1)
          (func $print_error
            (i32.store (i32.const 60000) (i32.const 50000))
            (i32.store (i32.const 60004) (call $last_error (i32.const 50000) (i32.const 4000)))
            (drop (call $fd_write (i32.const 1) (i32.const 60000) (i32.const 1) (i32.const 60008))))
          (func (export "test") (result i32) (local $round i32) (local $n i32) (local $r i32)
            (block $done (loop $next
              (br_if $done (i32.ge_u (local.get $round) (i32.const \(rounds))))
              (i32.store (i32.const 8192) (local.get $round))
              (local.set $n (call $ipfs_put (i32.const 8192) (i32.const 8192) (i32.const 20000) (i32.const 200)))
              (if (i32.lt_s (local.get $n) (i32.const 0)) (then (call $print_error) (return (local.get $n))))
              (local.set $r (call $ipfs_unpin (i32.const 20000) (local.get $n)))
              (if (i32.lt_s (local.get $r) (i32.const 0)) (then (call $print_error) (return (local.get $r))))
              (local.set $round (i32.add (local.get $round) (i32.const 1)))
              (br $next)))
            (local.get $round)))
        """
    }

    @Test("a put-then-unpin loop far past the cap keeps working and stays under it", arguments: abiEngines)
    func putUnpinLoop(engine: EngineChoice) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("station-ipfs-cap-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let capacity: Int64 = 64 << 10
        let store = try BlockStore(.init(directory: folder, capacity: capacity, moduleQuotas: ["abi-test": 10 << 10], durable: false))
        // 200 rounds of 8 KiB: 1.6 MiB through a 64 KiB store with a 10 KiB quota.
        let run = try await runStation(putUnpinLoop(rounds: 200), engine: engine, content: SharedContent(store: store)) { config in
            config.ipfs = true
        }
        #expect(run.outcome.error == nil, "\(String(describing: run.outcome.error))")
        #expect(run.result == 200, "\(run.output)")
        #expect(store.storedSize <= capacity)
        #expect(store.collectionsOnPressure > 0)
        #expect(store.usage(module: "abi-test") == 0)
    }

    @Test("the periodic collector removes unpinned blocks and keeps pinned ones")
    func periodicCollection() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("station-ipfs-gc-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try BlockStore(.init(directory: folder, durable: false))
        let kept = Block(data: Array("pinned".utf8), codec: .raw, version: 1)
        let garbage = Block(data: Array("unpinned".utf8), codec: .raw, version: 1)
        for block in [kept, garbage] { try store.put(block, module: "m") }
        try store.pin(kept.cid, module: "m")
        for block in [kept, garbage] { store.release(block.cid, module: "m") }
        let collector = StoreCollector(store: store, every: .milliseconds(10))
        // Wait (up to a generous hang guard) for a collection to happen.
        let deadline = ContinuousClock.now + .seconds(30)
        while store.has(garbage.cid), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        await collector.stop()
        #expect(!store.has(garbage.cid))
        #expect(store.has(kept.cid))
    }

    @Test("the cap of a shared store is the sum of its quotas, within the budget, without overflow")
    func capacityFromQuotas() {
        #expect(StoreCollector.capacity(quotas: [100, 200, 300], budget: nil) == 600)
        #expect(StoreCollector.capacity(quotas: [100, 200, 300], budget: 250) == 250)
        #expect(StoreCollector.capacity(quotas: [.max, .max, -5], budget: nil) == .max)
        #expect(StoreCollector.capacity(quotas: [.max, 1], budget: .max) == .max)
        #expect(StoreCollector.capacity(quotas: [], budget: nil) == 0)
    }
}

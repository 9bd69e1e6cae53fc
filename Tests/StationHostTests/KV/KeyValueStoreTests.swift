import Foundation
import Synchronization
import Testing
@testable import StationHost

@Suite struct KeyValueStoreTests {
    private func withStore(
        limits: KeyValueStore.Limits = .init(),
        _ body: (KeyValueStore, KeyValueTestFolder) throws -> Void
    ) throws {
        let folder = try KeyValueTestFolder()
        defer { folder.remove() }
        let store = try KeyValueStore(path: folder.path("kv.sqlite"), limits: limits)
        defer { store.close() }
        try body(store, folder)
    }

    @Test func binaryKeysRoundTrip() throws {
        try withStore { store, _ in
            let keys: [[UInt8]] = [[0x00], [0xFF], [0xFF, 0xFF], [0xFF, 0xFF, 0x00], [0x00, 0x00], [0x80, 0x00, 0xFF]]
            for (index, key) in keys.enumerated() {
                try store.put(key, [UInt8](repeating: UInt8(index), count: index + 1) + [0x00, 0xFF])
            }
            for (index, key) in keys.enumerated() {
                #expect(try store.get(key) == [UInt8](repeating: UInt8(index), count: index + 1) + [0x00, 0xFF])
            }
            #expect(try store.get([0x01]) == nil)
            #expect(try store.get([0xFF, 0xFF, 0xFF]) == nil)
        }
    }

    @Test func putReplacesAndDeleteReportsExistence() throws {
        try withStore { store, _ in
            try store.put([1, 2], [9])
            try store.put([1, 2], [7, 7, 7])
            #expect(try store.get([1, 2]) == [7, 7, 7])
            #expect(try store.delete([1, 2]) == true)
            #expect(try store.get([1, 2]) == nil)
            #expect(try store.delete([1, 2]) == false)
            #expect(store.usedBytes == 0)
        }
    }

    @Test func emptyValueIsStoredAsEmptyNotMissing() throws {
        try withStore { store, _ in
            try store.put([0x42], [])
            #expect(try store.get([0x42]) == [])
            #expect(store.usedBytes == 1)
            #expect(try store.list(prefix: [], after: nil, limit: 10) == [[0x42]])
        }
    }

    @Test func listUsesByteOrderAndHandlesFFPrefixes() throws {
        try withStore { store, _ in
            let keys: [[UInt8]] = [[0xFF, 0xFF, 0x00], [0x00], [0xFF], [0xFF, 0xFF], [0xFE, 0xFF], [0xFF, 0xFE], [0x00, 0x01], [0xFF, 0xFF, 0xFF, 0xFF]]
            for key in keys { try store.put(key, [1]) }
            #expect(try store.list(prefix: [], after: nil, limit: 100) == keys.sorted { $0.lexicographicallyPrecedes($1) })
            #expect(try store.list(prefix: [0xFF, 0xFF], after: nil, limit: 100) == [[0xFF, 0xFF], [0xFF, 0xFF, 0x00], [0xFF, 0xFF, 0xFF, 0xFF]])
            #expect(try store.list(prefix: [0xFF], after: nil, limit: 100) == [[0xFF], [0xFF, 0xFE], [0xFF, 0xFF], [0xFF, 0xFF, 0x00], [0xFF, 0xFF, 0xFF, 0xFF]])
            #expect(try store.list(prefix: [0xFE], after: nil, limit: 100) == [[0xFE, 0xFF]])
            #expect(try store.list(prefix: [0x00], after: nil, limit: 100) == [[0x00], [0x00, 0x01]])
            #expect(try store.list(prefix: [0x01], after: nil, limit: 100) == [])
        }
    }

    /// Random keys over edge bytes, listed by many prefixes and compared with a plain filter + sort.
    @Test func listAgreesWithBruteForceOnRandomKeys() throws {
        try withStore { store, _ in
            var generator = SystemRandomNumberGenerator()
            let alphabet: [UInt8] = [0x00, 0x01, 0x7F, 0x80, 0xFE, 0xFF]
            var keys = Set<[UInt8]>()
            while keys.count < 300 {
                let length = Int.random(in: 1...4, using: &generator)
                keys.insert((0..<length).map { _ in alphabet.randomElement(using: &generator) ?? 0 })
            }
            for key in keys { try store.put(key, key) }
            var prefixes: [[UInt8]] = [[]]
            for a in alphabet { prefixes.append([a]); for b in alphabet { prefixes.append([a, b]) } }
            for prefix in prefixes {
                let expected = keys.filter { $0.starts(with: prefix) }.sorted { $0.lexicographicallyPrecedes($1) }
                #expect(try store.list(prefix: prefix, after: nil, limit: 1000) == expected, "prefix \(prefix)")
            }
        }
    }

    @Test func paginationWithAfterVisitsEveryKeyOnce() throws {
        try withStore { store, _ in
            let keys = (0..<25).map { [0xFF, UInt8($0 * 10)] }
            for key in keys { try store.put(key, [0]) }
            try store.put([0xFE], [0])
            var seen: [[UInt8]] = []
            var after: [UInt8]? = nil
            var pages = 0
            while true {
                let page = try store.list(prefix: [0xFF], after: after, limit: 10)
                if page.isEmpty { break }
                pages += 1
                seen += page
                after = page.last
            }
            #expect(seen == keys)
            #expect(pages == 3)
            // `after` before the prefix starts at the prefix; after the last key gives nothing.
            #expect(try store.list(prefix: [0xFF], after: [0x00], limit: 2) == [[0xFF, 0], [0xFF, 10]])
            #expect(try store.list(prefix: [0xFF], after: [0xFF, 240], limit: 10) == [])
            #expect(try store.list(prefix: [0xFF], after: [0xFF, 15], limit: 2) == [[0xFF, 20], [0xFF, 30]])
        }
    }

    @Test func listLimitIsCappedAndValidated() throws {
        var limits = KeyValueStore.Limits()
        limits.maxListBatch = 3
        try withStore(limits: limits) { store, _ in
            for byte in UInt8(0)..<10 { try store.put([byte], [byte]) }
            #expect(try store.list(prefix: [], after: nil, limit: 100) == [[0], [1], [2]])
            #expect(try store.list(prefix: [], after: nil, limit: 0) == [])
            let error = keyValueError { () throws(StationError) in _ = try store.list(prefix: [], after: nil, limit: -1) }
            #expect(error?.code == .invalidArgument)
        }
    }

    @Test func quotaExactlyReachedThenOneByteOverChangesNothing() throws {
        var limits = KeyValueStore.Limits()
        limits.quotaBytes = 100
        try withStore(limits: limits) { store, _ in
            try store.put([UInt8](repeating: 1, count: 10), [UInt8](repeating: 2, count: 90))
            #expect(store.usedBytes == 100)
            let error = keyValueError { () throws(StationError) in try store.put([3], []) }
            #expect(error?.code == .quotaExceeded)
            #expect(error?.message.contains("100") == true)
            #expect(try store.get([3]) == nil)
            #expect(store.usedBytes == 100)
            // Growing an existing value past the quota keeps the old value.
            let grow = keyValueError { () throws(StationError) in
                try store.put([UInt8](repeating: 1, count: 10), [UInt8](repeating: 5, count: 91))
            }
            #expect(grow?.code == .quotaExceeded)
            #expect(try store.get([UInt8](repeating: 1, count: 10)) == [UInt8](repeating: 2, count: 90))
        }
    }

    @Test func replacingWithSmallerValueFreesSpaceAndUsageSurvivesReopen() throws {
        let folder = try KeyValueTestFolder()
        defer { folder.remove() }
        var limits = KeyValueStore.Limits()
        limits.quotaBytes = 100
        let path = folder.path("kv.sqlite")
        let store = try KeyValueStore(path: path, limits: limits)
        try store.put([0xAA], [UInt8](repeating: 0, count: 99))
        try store.put([0xAA], [UInt8](repeating: 0, count: 49))
        #expect(store.usedBytes == 50)
        try store.put([0xBB], [UInt8](repeating: 0, count: 49))
        #expect(store.usedBytes == 100)
        store.close()

        let reopened = try KeyValueStore(path: path, limits: limits)
        defer { reopened.close() }
        #expect(reopened.usedBytes == 100)
        #expect(keyValueError { () throws(StationError) in try reopened.put([0xCC], []) }?.code == .quotaExceeded)
        #expect(try reopened.delete([0xAA]) == true)
        #expect(reopened.usedBytes == 50)
    }

    @Test func oversizedKeysAndValuesAreRejected() throws {
        try withStore { store, _ in
            let longKey = [UInt8](repeating: 7, count: 1025)
            #expect(keyValueError { () throws(StationError) in try store.put(longKey, [1]) }?.code == .tooLarge)
            #expect(keyValueError { () throws(StationError) in _ = try store.get(longKey) }?.code == .tooLarge)
            let bigValue = [UInt8](repeating: 7, count: (1 << 20) + 1)
            let error = keyValueError { () throws(StationError) in try store.put([1], bigValue) }
            #expect(error?.code == .tooLarge)
            #expect(try store.get([1]) == nil)
            // Exactly at both limits is fine.
            try store.put([UInt8](repeating: 7, count: 1024), [UInt8](repeating: 9, count: 1 << 20))
            #expect(try store.get([UInt8](repeating: 7, count: 1024))?.count == 1 << 20)
            #expect(store.usedBytes == 1024 + (1 << 20))
        }
    }

    @Test func emptyKeyIsInvalid() throws {
        try withStore { store, _ in
            #expect(keyValueError { () throws(StationError) in try store.put([], [1]) }?.code == .invalidArgument)
            #expect(keyValueError { () throws(StationError) in _ = try store.get([]) }?.code == .invalidArgument)
            #expect(keyValueError { () throws(StationError) in _ = try store.delete([]) }?.code == .invalidArgument)
            #expect(store.usedBytes == 0)
        }
    }

    @Test func reopeningSeesTheDataAndCreatesParentFolders() throws {
        let folder = try KeyValueTestFolder()
        defer { folder.remove() }
        let path = folder.path("modules/demo/kv.sqlite")
        let store = try KeyValueStore(path: path)
        for byte in UInt8(0)..<50 { try store.put([byte, 0xFF], [UInt8](repeating: byte, count: Int(byte))) }
        #expect(try store.delete([10, 0xFF]) == true)
        let used = store.usedBytes
        store.close()

        let reopened = try KeyValueStore(path: path)
        defer { reopened.close() }
        #expect(reopened.usedBytes == used)
        #expect(try reopened.get([49, 0xFF]) == [UInt8](repeating: 49, count: 49))
        #expect(try reopened.get([10, 0xFF]) == nil)
        #expect(try reopened.list(prefix: [], after: nil, limit: 1000).count == 49)
    }

    @Test func callsAfterCloseFailWithIO() throws {
        let folder = try KeyValueTestFolder()
        defer { folder.remove() }
        let store = try KeyValueStore(path: folder.path("kv.sqlite"))
        store.close()
        store.close()
        let error = keyValueError { () throws(StationError) in _ = try store.get([1]) }
        #expect(error?.code == .io)
        #expect(error?.message.contains("closed") == true)
    }

    /// A put whose transaction fails after the value row was written (injected) leaves the old
    /// value, the usage counter, and what a reopened store sees, unchanged.
    @Test func failedPutTransactionRollsBackValueAndUsage() throws {
        struct InjectedFailure: Error {}
        final class Trigger: Sendable { let armed = Atomic<Bool>(false) }
        let trigger = Trigger()
        let hooks = KeyValueStoreHooks(afterValueWrite: {
            if trigger.armed.load(ordering: .relaxed) { throw InjectedFailure() }
        })
        let folder = try KeyValueTestFolder()
        defer { folder.remove() }
        let path = folder.path("kv.sqlite")
        let store = try KeyValueStore(path: path, limits: .init(), hooks: hooks)
        try store.put([1], [1, 1, 1])
        let usedBefore = store.usedBytes

        trigger.armed.store(true, ordering: .relaxed)
        let replace = keyValueError { () throws(StationError) in try store.put([1], [UInt8](repeating: 2, count: 500)) }
        #expect(replace?.code == .io)
        let insert = keyValueError { () throws(StationError) in try store.put([2], [2]) }
        #expect(insert?.code == .io)
        #expect(try store.get([1]) == [1, 1, 1])
        #expect(try store.get([2]) == nil)
        #expect(store.usedBytes == usedBefore)

        trigger.armed.store(false, ordering: .relaxed)
        try store.put([3], [3])
        #expect(store.usedBytes == usedBefore + 2)
        store.close()

        let reopened = try KeyValueStore(path: path)
        defer { reopened.close() }
        #expect(try reopened.get([1]) == [1, 1, 1])
        #expect(try reopened.get([2]) == nil)
        #expect(reopened.usedBytes == usedBefore + 2)
    }

    @Test func concurrentCallersAreSerialised() throws {
        try withStore { store, _ in
            let failures = Atomic<Int>(0)
            DispatchQueue.concurrentPerform(iterations: 4) { worker in
                for index in 0..<40 {
                    do {
                        try store.put([UInt8(worker), UInt8(index)], [UInt8](repeating: UInt8(index), count: index))
                        if try store.get([UInt8(worker), UInt8(index)])?.count != index { failures.add(1, ordering: .relaxed) }
                    } catch {
                        failures.add(1, ordering: .relaxed)
                    }
                }
            }
            let listed = try store.list(prefix: [], after: nil, limit: 1000)
            #expect(failures.load(ordering: .relaxed) == 0)
            #expect(listed.count == 160)
            let expectedUsage = 4 * (0..<40).reduce(UInt64(0)) { $0 + 2 + UInt64($1) }
            #expect(store.usedBytes == expectedUsage)
        }
    }
}

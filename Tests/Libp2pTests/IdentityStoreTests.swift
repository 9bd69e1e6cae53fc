import Foundation
import Testing
@testable import Libp2p

@Suite struct IdentityStoreTests {
    @Test func createsOnceWithMode0600AndReloads() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("p2p-identity-\(UInt64.random(in: 0 ... .max))")
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = try IdentityStore.loadOrCreate(in: folder)
        let second = try IdentityStore.loadOrCreate(in: folder)
        #expect(first.peerID == second.peerID)
        let attributes = try FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent(IdentityStore.fileName).path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    }

    @Test func corruptFileIsAClearError() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("p2p-identity-\(UInt64.random(in: 0 ... .max))")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data([1, 2, 3]).write(to: folder.appendingPathComponent(IdentityStore.fileName))
        #expect(throws: Libp2pError.self) { try IdentityStore.loadOrCreate(in: folder) }
    }
}

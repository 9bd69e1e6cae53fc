import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Loads our identity key from a state folder, creating it on first run.
///
/// The key is stored as the libp2p `PrivateKey` protobuf in `<folder>/identity.key`, file mode 0600.
public enum IdentityStore {
    /// The file name inside the state folder.
    public static let fileName = "identity.key"

    /// Returns the key stored in `folder`, generating and saving a new Ed25519 key if there is none.
    public static func loadOrCreate(in folder: URL) throws(Libp2pError) -> PrivateKey {
        let file = folder.appendingPathComponent(fileName)
        let manager = FileManager.default
        if manager.fileExists(atPath: file.path) {
            let data: Data
            do {
                data = try Data(contentsOf: file)
            } catch {
                throw .identityStore("cannot read \(file.path): \(error.localizedDescription)")
            }
            guard data.count <= 4096 else { throw .identityStore("\(file.path) is too large to be a key") }
            return try PrivateKey(protobuf: Array(data))
        }
        do {
            try manager.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw .identityStore("cannot create \(folder.path): \(error.localizedDescription)")
        }
        let key = PrivateKey()
        try writeExclusively(key.protobufBytes, to: file.path)
        return key
    }

    /// Creates `path` with mode 0600 from the start (never briefly world-readable) and writes `bytes`.
    private static func writeExclusively(_ bytes: [UInt8], to path: String) throws(Libp2pError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else { throw .identityStore("cannot create \(path) (errno \(errno))") }
        defer { _ = close(descriptor) }
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw .identityStore("cannot write \(path) (errno \(errno))") }
    }
}

import Foundation

/// A throw-away certificate authority and a server certificate for `localhost` and `127.0.0.1`,
/// made with the `openssl` command line tool in a fresh temporary folder.
///
/// ```swift
/// let ca = try TestCertificateAuthority.make()
/// let server = try await TestHTTPServer.start(tls: ca) { _ in .text("hi") }
/// // trust ca.caFile in the client under test
/// ```
struct TestCertificateAuthority: Sendable {
    /// The folder holding every file below.
    let directory: URL
    /// The CA certificate (PEM): give it to the client as an extra trust root.
    let caFile: String
    /// The server certificate (PEM), signed by the CA.
    let certificateFile: String
    /// The server's private key (PEM).
    let keyFile: String

    struct OpenSSLFailed: Error, CustomStringConvertible {
        let arguments: [String]
        let status: Int32
        let output: String
        var description: String { "openssl \(arguments.joined(separator: " ")) exited with \(status): \(output)" }
    }

    /// Creates the CA and the server certificate (both valid for a day).
    static func make() throws -> TestCertificateAuthority {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("station-test-ca-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        try run(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                 "-keyout", path("ca.key"), "-out", path("ca.pem"), "-days", "1", "-subj", "/CN=Station Test CA"])
        try run(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                 "-keyout", path("server.key"), "-out", path("server.csr"), "-subj", "/CN=localhost"])
        try "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
            .write(toFile: path("ext.cnf"), atomically: true, encoding: .utf8)
        try run(["x509", "-req", "-in", path("server.csr"), "-CA", path("ca.pem"), "-CAkey", path("ca.key"),
                 "-CAcreateserial", "-out", path("server.pem"), "-days", "1", "-extfile", path("ext.cnf")])
        return TestCertificateAuthority(
            directory: directory, caFile: path("ca.pem"), certificateFile: path("server.pem"), keyFile: path("server.key"))
    }

    /// Deletes the folder.
    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }

    private static func run(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw OpenSSLFailed(arguments: arguments, status: process.terminationStatus, output: String(decoding: output, as: UTF8.self))
        }
    }
}

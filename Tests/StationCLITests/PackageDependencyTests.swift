import Foundation
import Testing

extension CLI {
@Suite("Package.swift: each target declares exactly what its files import")
struct PackageDependencyTests {
    /// `scripts/check-target-deps` compares every target's imports with its declared
    /// dependencies; a target that builds only because something else pulls a module in, or that
    /// carries a dependency nobody uses, is named with the module.
    @Test("no target imports an undeclared module or declares an unused one")
    func declaredMatchesImported() throws {
        let (status, text) = try CLI.runPackageScript("scripts/check-target-deps", interpreter: "python3")
        #expect(status == 0, "scripts/check-target-deps found mismatches (fix Package.swift or the imports):\n\(text)")
    }
}
}

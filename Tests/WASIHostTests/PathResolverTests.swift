import Foundation
import StationTestSupport
import Testing
@testable import WASIHost

/// Confinement: a preopen at `root`, with a sibling `outside` directory holding a secret.
@Suite struct PathResolverTests {
    let tree: TemporaryDirectory
    let harness: WASIHarness

    init() throws {
        tree = try TemporaryDirectory()
        try tree.makeDirectory("root/sub/deeper")
        try tree.makeDirectory("outside")
        try tree.writeFile("outside/secret.txt", "secret")
        try tree.writeFile("root/sub/inside.txt", "inside")
        harness = try WASIHarness(WASIConfiguration(preopens: [WASIPreopen(hostPath: tree.path + "/root", guestPath: "/data")]))
    }

    @Test func symlinkTargetsAreJudgedFromTheLinksOwnDirectory() {
        #expect(PathResolver.symlinkTargetStaysInside(Array("x".utf8), depth: 0))
        #expect(PathResolver.symlinkTargetStaysInside(Array("sub/..".utf8), depth: 0))
        #expect(PathResolver.symlinkTargetStaysInside(Array("../x".utf8), depth: 1))
        #expect(PathResolver.symlinkTargetStaysInside(Array("./a//b/../../..".utf8), depth: 1))
        #expect(!PathResolver.symlinkTargetStaysInside(Array("/etc/passwd".utf8), depth: 3))
        #expect(!PathResolver.symlinkTargetStaysInside(Array("..".utf8), depth: 0))
        #expect(!PathResolver.symlinkTargetStaysInside(Array("../../x".utf8), depth: 1))
        // Climbing out and back in still passes through the outside.
        #expect(!PathResolver.symlinkTargetStaysInside(Array("../root/x".utf8), depth: 0))
        #expect(!PathResolver.symlinkTargetStaysInside(Array("a/../../b".utf8), depth: 0))
    }

    @Test func opensPlainRelativePaths() throws {
        let (errno, fd) = try harness.open("sub/inside.txt")
        #expect(errno == .success)
        #expect(try harness.read(fd, count: 64).1 == Array("inside".utf8))
    }

    @Test func dotDotInsideTheRootIsFine() throws {
        #expect(try harness.open("sub/deeper/../inside.txt").0 == .success)
        #expect(try harness.open("sub/./deeper/../../sub/inside.txt").0 == .success)
    }

    @Test func refusesAbsolutePaths() throws {
        #expect(try harness.open("/etc/passwd").0 == .notcapable)
        #expect(try harness.open(tree.path + "/outside/secret.txt").0 == .notcapable)
    }

    @Test func refusesDotDotAboveTheRoot() throws {
        #expect(try harness.open("../outside/secret.txt").0 == .notcapable)
        #expect(try harness.open("sub/../../outside/secret.txt").0 == .notcapable)
        #expect(try harness.open("..").0 == .notcapable)
        #expect(try harness.pathCall("path_create_directory", "../escaped") == .notcapable)
        #expect(!tree.exists("escaped"))
    }

    @Test func refusesAHostPlantedSymlinkPointingOutside() throws {
        try tree.symlink("root/relative-escape", to: "../outside")
        try tree.symlink("root/absolute-escape", to: tree.path + "/outside/secret.txt")
        #expect(try harness.open("relative-escape/secret.txt").0 == .notcapable)
        #expect(try harness.open("absolute-escape", lookup: 1).0 == .notcapable)
        // Without symlink_follow the final link is not followed at all.
        #expect(try harness.open("absolute-escape").0 == .loop)
    }

    /// A link the guest makes to the outside is refused when made (`EPERM`, as Wasmtime does for
    /// absolute targets), so no host program can follow it later either.
    @Test func refusesCreatingASymlinkThatPointsOutside() throws {
        for (name, text) in [("link", "../outside"), ("sub/link", "../../outside"), ("abs", tree.path + "/outside")] {
            let target = Array(text.utf8)
            try harness.store(target, at: 4096)
            let errno = try harness.call("path_symlink", [.i32(4096), .i32(UInt32(target.count)), .i32(3)] + (try harness.pathArguments(name)))
            #expect(errno == .perm, "\(name)")
            #expect(!tree.exists("root/" + name))
        }
        #expect(try harness.open("link/secret.txt", lookup: 1).0 == .noent)
        // The same text is fine one level down, where it stays inside.
        let target = Array("../sub/inside.txt".utf8)
        try harness.store(target, at: 4096)
        let errno = try harness.call("path_symlink", [.i32(4096), .i32(UInt32(target.count)), .i32(3)] + (try harness.pathArguments("sub/ok")))
        #expect(errno == .success)
        // Moving or hard-linking that link to the top would make it point outside.
        let top = Array("ok".utf8)
        try harness.store(top, at: 6000)
        let renamed = try harness.call("path_rename", [.i32(3)] + (try harness.pathArguments("sub/ok")) + [.i32(3), .i32(6000), .i32(2)])
        #expect(renamed == .perm)
        let linked = try harness.call("path_link", [.i32(3), .i32(0)] + (try harness.pathArguments("sub/ok")) + [.i32(3), .i32(6000), .i32(2)])
        #expect(linked == .perm)
        #expect(!tree.exists("root/ok"))
        #expect(try harness.open("sub/ok", lookup: 1).0 == .success)
    }

    @Test func followsSymlinksThatStayInside() throws {
        try tree.symlink("root/alias", to: "sub/deeper/..")
        try tree.symlink("root/file-alias", to: "sub/inside.txt")
        #expect(try harness.open("alias/inside.txt").0 == .success)
        let (errno, fd) = try harness.open("file-alias", lookup: 1)
        #expect(errno == .success)
        #expect(try harness.read(fd, count: 64).1 == Array("inside".utf8))
    }

    @Test func symlinkLoopsEndWithELOOP() throws {
        try tree.symlink("root/a", to: "b")
        try tree.symlink("root/b", to: "a")
        #expect(try harness.open("a/x").0 == .loop)
    }

    @Test func refusesNulAndOverlongPaths() throws {
        #expect(try harness.open("sub\u{0}/inside.txt").0 == .inval)
        #expect(try harness.open(String(repeating: "a/", count: 3000)).0 == .nametoolong)
        #expect(try harness.open("").0 == .noent)
    }

    @Test func resolvesToParentAndFinalName() throws {
        let root = HostFD(Glibc.open(tree.path + "/root", O_RDONLY | O_DIRECTORY))
        let resolved = try PathResolver.resolve(Array("sub/deeper/../inside.txt".utf8), from: root, followFinalSymlink: false)
        #expect(resolved.name == Array("inside.txt".utf8))
        #expect(try resolved.directory.stat().inode == (try root.statEntry(Array("sub".utf8)).inode))
        let trailing = try PathResolver.resolve(Array("sub/".utf8), from: root, followFinalSymlink: false)
        #expect(trailing.name == Array("sub".utf8))
        #expect(trailing.mustBeDirectory)
        let dot = try PathResolver.resolve(Array("sub/.".utf8), from: root, followFinalSymlink: false)
        #expect(dot.name == Array(".".utf8))
        #expect(PathResolver.components(of: Array("a//b/".utf8)) == [[97], [98]])
    }
}

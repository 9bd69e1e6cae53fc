import Foundation
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

    @Test func refusesASymlinkTheGuestCreates() throws {
        let target = Array("../outside".utf8)
        try harness.store(target, at: 4096)
        let errno = try harness.call("path_symlink", [.i32(4096), .i32(UInt32(target.count)), .i32(3)] + (try harness.pathArguments("link")))
        #expect(errno == .success)
        #expect(try harness.open("link/secret.txt").0 == .notcapable)
        #expect(try harness.open("link/secret.txt", lookup: 1).0 == .notcapable)
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

@testable import Bitswap
import Testing

/// Table tests of the pure session scheduler: peers and blocks are letters, time is seconds.
struct SessionSchedulerTests {
    typealias Scheduler = SessionScheduler<String, String>

    enum Step: CustomStringConvertible {
        case add(String, at: Double = 0)
        case have(String, String, at: Double = 0)
        case dontHave(String, String, at: Double = 0)
        case received(String, String, at: Double = 0)
        case garbage(String, at: Double = 0)
        case unreachable(String, at: Double = 0)
        case tick(Double)
        case addPeer(String, at: Double = 0)

        var description: String {
            switch self {
            case .add(let want, let time): "add(\(want)) @\(time)"
            case .have(let want, let peer, let time): "have(\(want), \(peer)) @\(time)"
            case .dontHave(let want, let peer, let time): "dontHave(\(want), \(peer)) @\(time)"
            case .received(let want, let peer, let time): "received(\(want), \(peer)) @\(time)"
            case .garbage(let peer, let time): "garbage(\(peer)) @\(time)"
            case .unreachable(let peer, let time): "unreachable(\(peer)) @\(time)"
            case .tick(let time): "tick @\(time)"
            case .addPeer(let peer, let time): "addPeer(\(peer)) @\(time)"
            }
        }

        func apply(to scheduler: inout Scheduler) {
            switch self {
            case .add(let want, let time): scheduler.add(want, now: time)
            case .have(let want, let peer, let time): scheduler.have(want, from: peer, now: time)
            case .dontHave(let want, let peer, let time): scheduler.dontHave(want, from: peer, now: time)
            case .received(let want, let peer, let time): scheduler.received(want, from: peer, now: time)
            case .garbage(let peer, let time): scheduler.garbage(from: peer, now: time)
            case .unreachable(let peer, let time): scheduler.unreachable(peer, now: time)
            case .tick(let time): scheduler.tick(now: time)
            case .addPeer(let peer, let time): scheduler.addPeer(peer, now: time)
            }
        }
    }

    /// Actions as short lines: "A: block x, have y".
    static func render(_ actions: [(peer: String, actions: [Scheduler.Action])]) -> [String] {
        actions.map { peer, list in
            "\(peer): " + list.map { action in
                switch action {
                case .wantBlock(let want): "block \(want)"
                case .wantHave(let want): "have \(want)"
                case .cancel(let want): "cancel \(want)"
                }
            }.joined(separator: ", ")
        }
    }

    /// Runs the steps, checking the actions each one produces.
    static func run(_ peers: [String], _ configuration: Scheduler.Configuration = .init(),
                    _ table: [(Step, [String])], sourceLocation: SourceLocation = #_sourceLocation) -> Scheduler {
        var scheduler = Scheduler(peers: peers, configuration: configuration)
        for (step, expected) in table {
            step.apply(to: &scheduler)
            #expect(render(scheduler.takeActions()) == expected, "after \(step)", sourceLocation: sourceLocation)
        }
        return scheduler
    }

    @Test func workedExampleOfTheDocComment() {
        let scheduler = Self.run(["A", "B", "C"], .init(maxPeers: 2, wantTimeout: 5), [
            (.add("r"), ["A: have r", "B: have r"]),
            (.dontHave("r", "A"), []),
            (.have("r", "B"), ["B: block r"]),
            (.received("r", "B"), []),
            (.add("x"), ["A: have x", "B: block x"]),
            (.add("y"), ["A: have y", "B: block y"]),
            (.have("y", "A"), []),
            (.dontHave("y", "B"), ["A: block y"]),
            (.tick(5), ["A: block x"]),
            (.received("x", "A", at: 5), ["B: cancel x"]),
        ])
        #expect(scheduler.strikes(of: "B") == 1)
        #expect(scheduler.strikes(of: "A") == 0)
        #expect(scheduler.sessionPeers == ["A", "B"])   // C stays a reserve
        #expect(scheduler.outstanding(at: "A") == 1)    // y
        #expect(scheduler.outstanding(at: "B") == 0)
    }

    @Test func aSinglePeerIsAskedForTheBlockAtOnceAndItsRefusalIsNotFound() {
        let scheduler = Self.run(["A"], .init(), [
            (.add("r"), ["A: block r"]),
            (.dontHave("r", "A"), []),
        ])
        #expect(scheduler.failure == .notFound("r", peers: 1))
    }

    @Test func wantBlocksAreSplitAcrossActivePeersLeastLoadedFirst() {
        _ = Self.run(["A", "B", "C"], .init(), [
            (.add("r"), ["A: have r", "B: have r", "C: have r"]),
            (.have("r", "A"), ["A: block r"]),
            (.have("r", "B"), []),
            // C never answered: its want-have is cancelled; B answered, A sent the block.
            (.received("r", "A"), ["C: cancel r"]),
            (.add("x"), ["A: block x", "B: have x", "C: have x"]),
            (.add("y"), ["A: have y", "B: block y", "C: have y"]),
            (.add("z"), ["A: block z", "B: have z", "C: have z"]),
            // A refuses x while B and C have not answered: wait for them; C's HAVE gets it.
            (.dontHave("x", "A"), []),
            (.have("x", "C"), ["C: block x"]),
            (.dontHave("x", "B"), []),
            (.received("x", "C"), []),
            // Now A holds z only, B holds y, C nothing: C is least loaded and active.
            (.add("w"), ["A: have w", "B: have w", "C: block w"]),
        ])
    }

    @Test func guessesStopAtTheBlindLimitWhileOthersMayStillSayHave() {
        _ = Self.run(["A", "B"], .init(blindLimit: 2), [
            (.add("r"), ["A: have r", "B: have r"]),
            (.have("r", "A"), ["A: block r"]),
            (.received("r", "A"), ["B: cancel r"]),
            // Only A has shown a block: it is guessed for two wants, B is asked whether it has them.
            (.add("w"), ["A: block w", "B: have w"]),
            (.add("x"), ["A: block x", "B: have x"]),
            // A holds two: y and z wait for HAVE answers (A is asked too).
            (.add("y"), ["A: have y", "B: have y"]),
            (.add("z"), ["A: have z", "B: have z"]),
            (.have("y", "B"), ["B: block y"]),
            // B refuses z; A has not answered yet: wait. A's HAVE gets it, past the limit (not a guess).
            (.dontHave("z", "B"), []),
            (.have("z", "A"), ["A: block z"]),
            (.received("w", "A"), ["B: cancel w"]),
        ])
    }

    @Test func aHaveTakesAWantFromAPeerThatNeverDeliveredAnything() {
        // A alone gets the want-block blindly; B joins and says HAVE: A has shown nothing, B takes it.
        _ = Self.run(["A"], .init(), [
            (.add("r"), ["A: block r"]),
            (.addPeer("B"), ["B: have r"]),
            (.have("r", "B"), ["A: cancel r", "B: block r"]),
            (.received("r", "B"), []),
        ])
    }

    @Test func aPeerAddedWhileTheSessionRunsIsAskedAboutEveryOpenWantAndSharesNewOnes() {
        var scheduler = Self.run(["A"], .init(maxPeers: 2), [
            (.add("r"), ["A: block r"]),
            (.received("r", "A"), []),
            (.add("x"), ["A: block x"]),
            (.add("y"), ["A: block y"]),
            // B is found: asked whether it has x and y, in want order. A, which holds them and has
            // delivered, keeps them (moving them could make them come twice).
            (.addPeer("B"), ["B: have x, have y"]),
            (.have("x", "B"), []),
            (.have("y", "B"), []),
            // A peer already in the session is ignored; a third one is a reserve (maxPeers 2).
            (.addPeer("A"), []),
            (.addPeer("C"), []),
            // New wants: B said HAVE, so it is an active peer like A, and less loaded.
            (.add("z"), ["A: have z", "B: block z"]),
        ])
        #expect(scheduler.sessionPeers == ["A", "B"])
        Step.received("x", "A").apply(to: &scheduler)
        Step.received("y", "A").apply(to: &scheduler)
        #expect(scheduler.outstanding(at: "A") == 0)
        #expect(scheduler.outstanding(at: "B") == 1)
    }

    @Test func whenEverySessionPeerRefusesTheReservesAreAskedBeforeNotFound() {
        // maxPeers 2: C and D are reserves, asked only about the block A and B refused.
        var scheduler = Self.run(["A", "B", "C", "D"], .init(maxPeers: 2, wantTimeout: 5), [
            (.add("r"), ["A: have r", "B: have r"]),
            (.have("r", "A"), ["A: block r"]),
            (.received("r", "A"), ["B: cancel r"]),
            (.add("x"), ["A: block x", "B: have x"]),
            (.add("y"), ["A: block y", "B: have y"]),
            (.dontHave("x", "A"), []),
            (.dontHave("x", "B"), ["C: have x", "D: have x"]),
            // D has it; C's answer is not awaited.
            (.have("x", "D"), ["D: block x"]),
            (.received("x", "D"), ["C: cancel x"]),
            // y: both refuse, then both reserves: not found, naming four refusals.
            (.dontHave("y", "A"), []),
            (.dontHave("y", "B"), ["C: have y", "D: have y"]),
            (.dontHave("y", "C"), []),
        ])
        #expect(scheduler.failure == nil)
        #expect(scheduler.sessionPeers == ["A", "B"], "reserves answer for single blocks; the session stays as it was")
        Step.dontHave("y", "D").apply(to: &scheduler)
        #expect(scheduler.failure == .notFound("y", peers: 4))
    }

    @Test func aReserveThatNeverAnswersIsAskedBlindlyAfterTheWantTimeout() {
        _ = Self.run(["A", "B"], .init(maxPeers: 1, wantTimeout: 5), [
            (.add("r"), ["A: block r"]),
            (.dontHave("r", "A", at: 1), ["B: have r"]),
            (.tick(5), []),
            (.tick(6), ["B: block r"]),
            (.received("r", "B", at: 7), []),
        ])
    }

    @Test func everyPeerRefusingIsNotFoundButAnUnansweredPeerIsWaitedFor() {
        var scheduler = Self.run(["A", "B", "C"], .init(), [
            (.add("r"), ["A: have r", "B: have r", "C: have r"]),
            (.dontHave("r", "A"), []),
            (.dontHave("r", "B"), []),
        ])
        #expect(scheduler.failure == nil)
        scheduler.dontHave("r", from: "C", now: 0)
        #expect(scheduler.failure == .notFound("r", peers: 3))
    }

    @Test func aWantWaitingForAnswersIsAskedBlindlyAfterTheTimeout() {
        let scheduler = Self.run(["A", "B"], .init(wantTimeout: 2), [
            (.add("r"), ["A: have r", "B: have r"]),
            (.tick(1), []),
            (.tick(2), ["A: block r"]),
            // A is silent too: after another timeout B is asked as well, A gets a strike.
            (.tick(4), ["B: block r"]),
            (.received("r", "B", at: 4.5), ["A: cancel r"]),
        ])
        #expect(scheduler.strikes(of: "A") == 1)
        #expect(scheduler.strikes(of: "B") == 0)
    }

    @Test func aBusyPeerThatKeepsDeliveringIsNotSlow() {
        let scheduler = Self.run(["A", "B"], .init(wantTimeout: 2), [
            (.add("r"), ["A: have r", "B: have r"]),
            (.have("r", "A"), ["A: block r"]),
            (.received("r", "A"), ["B: cancel r"]),
            (.add("x"), ["A: block x", "B: have x"]),
            (.add("y"), ["A: block y", "B: have y"]),
            (.dontHave("x", "B"), []),
            (.dontHave("y", "B"), []),
            (.received("x", "A", at: 1.5), []),
            (.tick(3), []),   // y was asked at 0, but A delivered at 1.5
            (.tick(3.5), []),   // B refused y: nobody else to ask, keep waiting on A
        ])
        #expect(scheduler.strikes(of: "A") == 0)
        #expect(scheduler.isWanted("y"))
    }

    @Test func aSilentPeerIsDroppedAfterMaxStrikesAndItsWantsMove() {
        let scheduler = Self.run(["A", "B"], .init(wantTimeout: 1, maxStrikes: 2), [
            (.add("r"), ["A: have r", "B: have r"]),
            (.have("r", "A"), ["A: block r"]),
            (.have("r", "B"), []),
            (.received("r", "A"), []),
            (.add("x"), ["A: block x", "B: have x"]),
            (.add("y"), ["A: have y", "B: block y"]),
            (.add("z"), ["A: block z", "B: have z"]),
            (.received("y", "B", at: 0.5), ["A: cancel y"]),
            // A has delivered nothing since 0: x and z move to B; the second strike drops A, whose
            // wants are cancelled.
            (.tick(1), ["A: cancel x, cancel z", "B: block x, block z"]),
        ])
        #expect(scheduler.isDropped("A"))
        #expect(scheduler.sessionPeers == ["B"])
        #expect(scheduler.outstanding(at: "B") == 2)
    }

    @Test func theLastPeerIsNeverDropped() {
        let scheduler = Self.run(["A"], .init(wantTimeout: 1, maxStrikes: 1), [
            (.add("r"), ["A: block r"]),
            (.garbage("A"), []),
            (.tick(1), []),
            (.tick(2), []),
        ])
        #expect(!scheduler.isDropped("A"))
        #expect(scheduler.strikes(of: "A") == 1)
        #expect(scheduler.failure == nil)
    }

    @Test func garbageAndLiesCostStrikesAndDropThePeerForAReserve() {
        let scheduler = Self.run(["A", "B", "C"], .init(maxPeers: 2, maxStrikes: 3), [
            (.add("r"), ["A: have r", "B: have r"]),
            (.have("r", "A"), ["A: block r"]),
            (.garbage("A"), []),
            // HAVE then DONT_HAVE: a lie, and the block moves to the other peer once it answers.
            (.dontHave("r", "A"), []),
            // Third strike: C replaces A (A's want was answered, so nothing to cancel there).
            (.garbage("A"), ["C: have r"]),
            (.have("r", "C"), ["C: block r"]),
            (.received("r", "C"), ["B: cancel r"]),
        ])
        #expect(scheduler.isDropped("A"))
        #expect(scheduler.strikes(of: "A") == 3)
        #expect(scheduler.sessionPeers == ["B", "C"])
    }

    @Test func strikesMakeAPeerLessLoadedThanItIs() {
        // A has one strike (weight 4): B takes the next four wants before A gets one.
        _ = Self.run(["A", "B"], .init(strikePenalty: 4), [
            (.add("r"), ["A: have r", "B: have r"]),
            (.have("r", "A"), ["A: block r"]),
            (.have("r", "B"), []),
            (.received("r", "A"), []),
            (.garbage("A"), []),
            (.add("a"), ["A: have a", "B: block a"]),
            (.add("b"), ["A: have b", "B: block b"]),
            (.add("c"), ["A: have c", "B: block c"]),
            (.add("d"), ["A: have d", "B: block d"]),
            (.add("e"), ["A: block e", "B: have e"]),
        ])
    }

    @Test func unreachablePeersLeaveTheSessionAndTheLastOneEndsIt() {
        var scheduler = Self.run(["A", "B"], .init(), [
            (.add("r"), ["A: have r", "B: have r"]),
            (.unreachable("A"), []),
            (.have("r", "B"), ["B: block r"]),
        ])
        #expect(scheduler.failure == nil)
        scheduler.unreachable("B", now: 0)
        #expect(scheduler.failure == .noPeers)
    }

    @Test func finishCancelsEveryLiveWant() {
        var scheduler = Self.run(["A", "B"], .init(), [
            (.add("r"), ["A: have r", "B: have r"]),
            (.have("r", "B"), ["B: block r"]),
        ])
        #expect(Self.render(scheduler.finish()) == ["A: cancel r", "B: cancel r"])
        #expect(scheduler.outstanding(at: "B") == 0)
        #expect(!scheduler.isWanted("r"))
    }

    @Test func aPeerThatOnlyRefusesBecomesIdleAndIsAskedOnlyAsALastResort() {
        let scheduler = Self.run(["A", "B", "C"], .init(idleAfter: 2), [
            (.add("r"), ["A: have r", "B: have r", "C: have r"]),
            (.have("r", "A"), ["A: block r"]),
            (.dontHave("r", "B"), []),
            (.dontHave("r", "C"), []),
            (.received("r", "A"), []),
            (.add("x"), ["A: block x", "B: have x", "C: have x"]),
            (.dontHave("x", "C"), []),   // C's second refusal: idle
            (.dontHave("x", "B"), []),   // B's second refusal: idle too
            (.received("x", "A"), []),
            // Nobody but A is told of y; when A refuses it, the idle peers are asked in turn.
            (.add("y"), ["A: block y"]),
            (.dontHave("y", "A"), ["B: block y"]),
            (.dontHave("y", "B"), ["C: block y"]),
            (.received("y", "C"), []),
            // C had a block after all: no longer idle.
            (.add("z"), ["A: block z", "C: have z"]),
        ])
        #expect(scheduler.failure == nil)
    }

    @Test func theSessionTakesTheFirstMaxPeers() {
        let scheduler = Self.run(["A", "B", "C", "A"], .init(maxPeers: 2), [
            (.add("r"), ["A: have r", "B: have r"]),
        ])
        #expect(scheduler.sessionPeers == ["A", "B"])
        #expect(Scheduler(peers: [], configuration: .init()).failure == .noPeers)
    }
}

import Testing
import Units

@Suite("Units: sizes and durations as people write them")
struct UnitsTests {
    static let sizeCases: [(String, UInt64)] = [
        ("4096", 4096),
        ("0", 0),
        ("512k", 512 * 1024),
        ("512KiB", 512 * 1024),
        ("64M", 64 << 20),
        ("64 MiB", 64 << 20),
        ("64mb", 64 << 20),
        ("1.5GiB", 3 << 29),
        ("1T", 1 << 40),
        ("10b", 10),
        (" 2KiB ", 2048),
    ]

    @Test("byte sizes: suffixes are powers of 1024, any case, with or without a space", arguments: sizeCases)
    func bytes(text: String, expected: UInt64) throws {
        #expect(try Units.parseBytes(text) == expected)
    }

    @Test("not sizes: empty, negative, unknown suffix, not a number, beyond 64 bits", arguments: [
        "", "-1", "12 parsecs", "MiB", "1e3", "nan", "inf", "16EiB", "17179869184GiB",
    ])
    func notBytes(text: String) {
        #expect(throws: UnitsError.invalidSize(text)) { try Units.parseBytes(text) }
    }

    static let durationCases: [(String, Duration)] = [
        ("30", .seconds(30)),
        ("10s", .seconds(10)),
        ("250ms", .milliseconds(250)),
        ("1.5m", .seconds(90)),
        ("2h", .seconds(7200)),
        ("100us", .microseconds(100)),
        ("1 min", .seconds(60)),
    ]

    @Test("durations: seconds by default, ms, us, minutes, hours", arguments: durationCases)
    func durations(text: String, expected: Duration) throws {
        #expect(try Units.parseDuration(text) == expected)
    }

    @Test("not durations: empty, negative, unknown suffix, beyond a billion seconds", arguments: [
        "", "-5s", "5 fortnights", "s", "1e12",
    ])
    func notDurations(text: String) {
        #expect(throws: UnitsError.invalidDuration(text)) { try Units.parseDuration(text) }
    }

    static let printedSizes: [(UInt64, String)] = [
        (0, "0 bytes"),
        (1023, "1023 bytes"),
        (1024, "1 KiB"),
        (1536, "1.5 KiB"),
        (64 << 20, "64 MiB"),
        (3 << 29, "1.5 GiB"),
        (1 << 40, "1 TiB"),
    ]

    @Test("byte counts print in the largest whole unit, one decimal otherwise", arguments: printedSizes)
    func formatBytes(bytes: UInt64, expected: String) {
        #expect(Units.formatBytes(bytes) == expected)
    }

    static let printedDurations: [(Duration, String)] = [
        (.milliseconds(250), "250 ms"),
        (.seconds(10), "10 s"),
        (.milliseconds(1500), "1.5 s"),
        (.zero, "0 ms"),
    ]

    @Test("durations print as ms below a second, else seconds", arguments: printedDurations)
    func formatDuration(duration: Duration, expected: String) {
        #expect(Units.formatDuration(duration) == expected)
    }

    @Test("a size printed by formatBytes reads back as the same number when it is whole")
    func roundTrip() throws {
        for bytes: UInt64 in [1024, 4096, 64 << 20, 1 << 30, 5 << 40] {
            #expect(try Units.parseBytes(Units.formatBytes(bytes)) == bytes)
        }
    }
}

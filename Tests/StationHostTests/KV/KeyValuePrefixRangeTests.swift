import Testing
@testable import StationHost

@Suite struct KeyValuePrefixRangeTests {
    @Test func upperBoundIncrementsTheLastByteThatIsNotFF() {
        #expect(KeyValuePrefixRange(prefix: [0x61, 0x62]).upper == [0x61, 0x63])
        #expect(KeyValuePrefixRange(prefix: [0x00]).upper == [0x01])
        #expect(KeyValuePrefixRange(prefix: [0x01, 0xFF]).upper == [0x02])
        #expect(KeyValuePrefixRange(prefix: [0x01, 0xFF, 0xFF]).upper == [0x02])
        #expect(KeyValuePrefixRange(prefix: [0xFE, 0xFF]).upper == [0xFF])
    }

    @Test func allFFAndEmptyPrefixesHaveNoUpperBound() {
        #expect(KeyValuePrefixRange(prefix: []).upper == nil)
        #expect(KeyValuePrefixRange(prefix: [0xFF]).upper == nil)
        #expect(KeyValuePrefixRange(prefix: [0xFF, 0xFF, 0xFF]).upper == nil)
        #expect(KeyValuePrefixRange(prefix: [0xFF, 0xFF]).lower == [0xFF, 0xFF])
    }

    /// Every key of up to 3 bytes over an alphabet with the edge bytes, against every prefix of up
    /// to 3 bytes: the range holds a key exactly when the key starts with the prefix.
    @Test func rangeMatchesPlainPrefixTestExhaustively() {
        let alphabet: [UInt8] = [0x00, 0x01, 0x7F, 0xFE, 0xFF]
        var words: [[UInt8]] = [[]]
        var frontier: [[UInt8]] = [[]]
        for _ in 0..<3 {
            frontier = frontier.flatMap { word in alphabet.map { word + [$0] } }
            words += frontier
        }
        var mismatches = 0
        for prefix in words {
            let range = KeyValuePrefixRange(prefix: prefix)
            for key in words where range.contains(key) != key.starts(with: prefix) {
                mismatches += 1
            }
        }
        #expect(mismatches == 0)
    }
}

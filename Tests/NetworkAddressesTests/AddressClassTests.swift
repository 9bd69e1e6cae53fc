import Testing
import NetworkAddresses

@Suite struct AddressClassTests {
    @Test(arguments: [
        ("8.8.8.8", AddressClass.publicInternet), ("1.1.1.1", .publicInternet), ("172.32.0.1", .publicInternet),
        ("100.128.0.1", .publicInternet), ("223.255.255.255", .publicInternet),
        ("127.0.0.1", .loopback), ("127.255.0.9", .loopback),
        ("0.0.0.0", .unspecified), ("0.1.2.3", .unspecified),
        ("10.0.0.1", .privateNetwork), ("172.16.0.1", .privateNetwork), ("172.31.255.255", .privateNetwork), ("192.168.1.1", .privateNetwork),
        ("169.254.169.254", .linkLocal), ("100.64.0.1", .sharedAddressSpace), ("100.127.255.255", .sharedAddressSpace),
        ("224.0.0.1", .multicast), ("239.255.255.250", .multicast),
        ("240.0.0.1", .reserved), ("255.255.255.255", .broadcast), ("192.0.2.1", .documentation), ("198.18.0.1", .reserved),
        ("::", .unspecified), ("::1", .loopback), ("fe80::1", .linkLocal), ("febf::1", .linkLocal),
        ("fc00::1", .uniqueLocal), ("fd12:3456::1", .uniqueLocal), ("ff02::1", .multicast), ("2001:db8::1", .documentation),
        ("2606:4700::1111", .publicInternet), ("2a00:1450::1", .publicInternet),
        ("::ffff:127.0.0.1", .loopback), ("::ffff:10.0.0.1", .privateNetwork), ("::ffff:8.8.8.8", .publicInternet),
        ("::127.0.0.1", .loopback), ("::10.0.0.1", .privateNetwork),
        ("64:ff9b::127.0.0.1", .loopback), ("64:ff9b::a9fe:a9fe", .linkLocal), ("64:ff9b::8.8.8.8", .publicInternet),
        ("2002:7f00:1::1", .loopback), ("2002:0808:0808::1", .publicInternet),
    ])
    func classifies(address text: String, expected: AddressClass) throws {
        let address = try #require(IPAddress(strict: text))
        #expect(address.addressClass == expected)
    }

    @Test func everyClassHasAPhrase() {
        for addressClass in AddressClass.allCases {
            #expect(addressClass.phrase.hasPrefix("a") || addressClass.phrase.hasPrefix("the"))
        }
    }
}

import Testing
@testable import StationHost

@Suite struct RedirectRuleTests {
    @Test func resolvesRelativeLocations() {
        #expect(RedirectRule.resolve("/b?x=1", against: "http://h.example/a/c") == "http://h.example/b?x=1")
        #expect(RedirectRule.resolve("d", against: "http://h.example/a/c") == "http://h.example/a/d")
        #expect(RedirectRule.resolve("https://o.example/", against: "http://h.example/") == "https://o.example/")
        #expect(RedirectRule.resolve("", against: "http://h.example/") == nil)
    }

    @Test func seeOtherBecomesGetWithoutBody() {
        let post = HTTPFetchRequest(method: "POST", url: "http://a/", headers: [("Content-Type", "x"), ("Authorization", "t")], body: [1, 2])
        for status in [301, 302, 303] {
            let next = RedirectRule.follow(post, status: status, to: "http://a/next", sameOrigin: true)
            #expect(next.method == "GET")
            #expect(next.body.isEmpty)
            #expect(next.headers.map(\.0) == ["Authorization"])
            #expect(next.url == "http://a/next")
        }
        let head = HTTPFetchRequest(method: "HEAD", url: "http://a/")
        #expect(RedirectRule.follow(head, status: 303, to: "http://a/n", sameOrigin: true).method == "HEAD")
    }

    @Test func temporaryAndPermanentKeepMethodAndBody() {
        let put = HTTPFetchRequest(method: "PUT", url: "http://a/", headers: [("Cookie", "c"), ("X-Keep", "1")], body: [9])
        for status in [307, 308] {
            let next = RedirectRule.follow(put, status: status, to: "http://b/", sameOrigin: false)
            #expect(next.method == "PUT")
            #expect(next.body == [9])
            #expect(next.headers.map(\.0) == ["X-Keep"])
        }
    }
}

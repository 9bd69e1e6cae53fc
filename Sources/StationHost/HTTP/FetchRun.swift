import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NetworkAddresses

/// Drives one exchange in the background: waits for a slot, then for each hop resolves the host,
/// checks every address, connects to a checked one, and either follows a redirect (re-checked) or
/// streams the body into the exchange under the size cap, the bandwidth limit and the timeouts.
struct FetchRun: Sendable {
    let fetcher: HTTPFetcher
    let exchange: HTTPExchange
    let request: HTTPFetchRequest
    let firstTarget: CheckedTarget

    func run() async {
        var origin = firstTarget.origin
        do {
            try await fetcher.gate.acquire()
            defer { fetcher.gate.release() }
            let deadline = deadlineWatch()
            defer { deadline.cancel() }
            var current = request
            var target = firstTarget
            var redirects = 0
            while true {
                origin = target.origin
                let address = try await checkedAddress(for: target)
                let client = try fetcher.clients.borrowClient(host: target.host, address: address)
                defer { fetcher.clients.returnClient(host: target.host, address: address) }
                let response = try await withIdleWatch(origin: origin) {
                    try await client.execute(makeRequest(current, target: target), deadline: .distantFuture)
                }
                let status = Int(response.status.code)
                try Self.checkFinalStatus(status, origin: origin)
                if current.followRedirects, RedirectRule.redirectStatuses.contains(status),
                   let location = response.headers.first(name: "location") {
                    guard redirects < fetcher.limits.maxRedirects else {
                        throw StationError(.io, "\(RequestURL.shortened(request.url)) redirected more than \(fetcher.limits.maxRedirects) times; the last redirect was to \(RequestURL.shortened(location))")
                    }
                    redirects += 1
                    guard let nextURL = RedirectRule.resolve(location, against: target.normalizedURL) else {
                        throw StationError(.io, "\(origin) redirected to an invalid location \"\(RequestURL.shortened(location))\"")
                    }
                    let nextTarget: CheckedTarget
                    do throws(StationError) {
                        nextTarget = try fetcher.policy.checkURL(nextURL)
                    } catch where error.code == .invalidArgument {
                        throw StationError(.io, "\(origin) redirected to an unusable location: \(error.message)")
                    } catch {
                        throw StationError(error.code, "redirect from \(origin): \(error.message)")
                    }
                    current = RedirectRule.follow(current, status: status, to: nextURL, sameOrigin: nextTarget.origin == target.origin)
                    target = nextTarget
                    continue
                }
                if let declared = response.headers.first(name: "content-length").flatMap({ Int($0) }),
                   declared > fetcher.limits.maxResponseBytes {
                    throw tooLarge(origin: origin, detail: "it declares \(declared) bytes")
                }
                exchange.deliverHead(status: status, headers: response.headers.map { (name: $0.name, value: $0.value) }, url: current.url)
                try await stream(response.body, origin: origin)
                exchange.finish()
                return
            }
        } catch {
            let reason = exchange.recordedAbortReason ?? HTTPFailure.describe(error, origin: origin)
            exchange.fail(reason)
        }
    }

    /// The statuses a module can see: final responses only (`docs/abi.md`: 200–599). A 1xx that
    /// reaches us is an upgrade (101) or a server speaking out of turn, and anything past 599 is not
    /// HTTP; both end the exchange with an I/O error instead of reaching the module as a response.
    static let finalStatuses = 200...599

    static func checkFinalStatus(_ status: Int, origin: String) throws(StationError) {
        guard !finalStatuses.contains(status) else { return }
        if status == 101 {
            throw StationError(.io, "\(origin) answered 101 Switching Protocols; protocol upgrades (WebSocket, h2c) are not supported by http_request")
        }
        throw StationError(.io, "\(origin) answered with status \(status), which is not a final HTTP status (200–599)")
    }

    /// Resolves the target's host (IP literals as themselves, `localhost` as loopback) and returns
    /// the first address the policy admits; throws `.denied` when none is.
    private func checkedAddress(for target: CheckedTarget) async throws -> IPAddress {
        let candidates: [IPAddress]
        switch target.host {
        case .address(let address):
            candidates = [address]
        case .name(let name):
            if target.host.isLocalhostName {
                candidates = [.v4(0x7F00_0001), .v6(high: 0, low: 1)]
            } else {
                candidates = try await fetcher.resolver.resolve(name)
            }
        }
        var firstDenial: StationError?
        for candidate in candidates {
            do {
                try fetcher.policy.checkAddress(candidate, for: target)
                return candidate
            } catch {
                if firstDenial == nil { firstDenial = error }
            }
        }
        throw firstDenial ?? StationError(.io, "could not resolve \(target.host)")
    }

    private func makeRequest(_ request: HTTPFetchRequest, target: CheckedTarget) -> HTTPClientRequest {
        var outgoing = HTTPClientRequest(url: target.normalizedURL)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
        if !request.body.isEmpty {
            outgoing.body = .bytes(ByteBuffer(bytes: request.body))
        }
        return outgoing
    }

    /// Pulls body chunks into the exchange's channel: counts against the cap, waits for the
    /// bandwidth budget, and waits for the module to make room (backpressure to the socket).
    private func stream(_ body: HTTPClientResponse.Body, origin: String) async throws {
        var iterator = body.makeAsyncIterator()
        var total = 0
        while true {
            let next = try await withIdleWatch(origin: origin) { try await iterator.next() }
            guard let chunk = next else { return }
            total += chunk.readableBytes
            if total > fetcher.limits.maxResponseBytes {
                throw tooLarge(origin: origin, detail: "its body passed the cap")
            }
            if let bandwidth = fetcher.bandwidth { try await bandwidth.pace(chunk.readableBytes) }
            try await exchange.body.append(Array(chunk.readableBytesView))
        }
    }

    private func tooLarge(origin: String, detail: String) -> StationError {
        StationError(.tooLarge, "the response from \(origin) is larger than the limit of \(fetcher.limits.maxResponseBytes) bytes (\(detail))")
    }

    /// Arms the whole-request deadline; cancel the returned task when the exchange ends.
    private func deadlineWatch() -> Scheduled<Void> {
        var timeout = request.timeout ?? fetcher.limits.defaultRequestTimeout
        if timeout <= .zero { timeout = fetcher.limits.defaultRequestTimeout }
        let exchange = self.exchange
        let shown = RequestURL.shortened(request.url)
        let limit = timeout
        return fetcher.eventLoopGroup.any().scheduleTask(in: TimeAmount(limit)) {
            exchange.abort(StationError(.timedOut, "\(shown) did not complete within \(limit)"))
        }
    }

    /// Runs `operation` (waiting for bytes from the server) under the idle read timeout.
    private func withIdleWatch<T>(origin: String, _ operation: () async throws -> T) async throws -> T {
        let idle = fetcher.limits.idleReadTimeout
        let exchange = self.exchange
        let watch = fetcher.eventLoopGroup.any().scheduleTask(in: TimeAmount(idle)) {
            exchange.abort(StationError(.timedOut, "\(origin) sent nothing for \(idle)"))
        }
        defer { watch.cancel() }
        return try await operation()
    }
}

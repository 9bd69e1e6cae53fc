import Foundation

/// How a redirect response turns into the next request.
enum RedirectRule {
    /// Status codes the runtime follows.
    static let redirectStatuses: Set<Int> = [301, 302, 303, 307, 308]

    /// Headers dropped when a redirect leaves the origin, so credentials never follow it.
    static let credentialHeaders: Set<String> = ["authorization", "cookie", "proxy-authorization"]

    /// Headers describing a body, dropped when the body is.
    static let bodyHeaders: Set<String> = ["content-type", "content-encoding", "content-language", "content-location"]

    /// Resolves `location` against `base` (both absolute or relative per RFC 3986); `nil` when
    /// it cannot be made into an absolute URL.
    static func resolve(_ location: String, against base: String) -> String? {
        guard !location.isEmpty, location.utf8.count <= 8192,
              let baseURL = URL(string: base),
              let resolved = URL(string: location, relativeTo: baseURL)?.absoluteString
        else { return nil }
        return resolved
    }

    /// The request to send after `status` redirected `request` to `url`. 301, 302 and 303 become
    /// GET without a body (HEAD stays HEAD); 307 and 308 keep method and body. Credentials are
    /// dropped when the origin changes.
    static func follow(_ request: HTTPFetchRequest, status: Int, to url: String, sameOrigin: Bool) -> HTTPFetchRequest {
        var next = request
        next.url = url
        if status == 301 || status == 302 || status == 303 {
            if request.method.uppercased() != "HEAD" { next.method = "GET" }
            next.body = []
            next.headers.removeAll { bodyHeaders.contains($0.0.lowercased()) }
        }
        if !sameOrigin {
            next.headers.removeAll { credentialHeaders.contains($0.0.lowercased()) }
        }
        return next
    }
}

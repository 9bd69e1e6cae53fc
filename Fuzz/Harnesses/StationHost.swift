import Foundation
import StationHost

extension Harness {
    /// The HTTP allow-list (`NetworkPattern`, `NetworkPolicy.checkURL` and the host spelling
    /// normalisation behind both). Input: a pattern, then optionally "\n" and a URL.
    /// - a parsed pattern parses again to the same pattern;
    /// - a URL the policy admits, re-checked in its normalised form, gives the same target;
    /// - a URL refused with "allow it with --allow-net X" is admitted by the pattern X.
    public static func networkPattern(_ bytes: [UInt8]) throws {
        let (head, tail) = splitOnce(bytes, at: 0x0A)
        let patternText = String(decoding: head, as: UTF8.self)
        if let pattern = try? NetworkPattern(patternText) {
            try fuzzCheck(pattern.description == patternText, "pattern text changed")
            let again = try? NetworkPattern(pattern.text)
            try fuzzCheck(again == pattern, "pattern \(patternText.debugDescription) does not parse again")
            if case .exact(let host) = pattern.host {
                // The normalised host is itself a valid spelling of the same host.
                let canonical = try? NetworkPattern(host.urlHost)
                try fuzzCheck(canonical?.host == pattern.host, "normalised host \(host.urlHost) parses as \(String(describing: canonical?.host))")
            }
        }
        guard let tail else { return }
        let url = String(decoding: tail, as: UTF8.self)
        let policy = (try? NetworkPolicy(allowing: [patternText])) ?? NetworkPolicy.denyAll
        do {
            let target = try policy.checkURL(url)
            let again = try? policy.checkURL(target.normalizedURL)
            try fuzzCheck(again?.host == target.host && again?.port == target.port && again?.scheme == target.scheme,
                          "normalised URL \(target.normalizedURL) checks differently from \(url.debugDescription)")
        } catch let failure as FuzzInvariantFailure {
            throw failure
        } catch {
            // The advice in a refusal must work: the suggested pattern admits the URL.
            let marker = "allow it with --allow-net "
            let message = (error as? StationError)?.message ?? ""
            if let range = message.range(of: marker, options: .backwards) {
                let suggested = String(message[range.upperBound...])
                let admitted: Bool
                do {
                    _ = try NetworkPolicy(allowing: [suggested]).checkURL(url)
                    admitted = true
                } catch {
                    admitted = false
                }
                try fuzzCheck(admitted, "suggested pattern \(suggested.debugDescription) does not admit \(url.debugDescription)")
            }
        }
    }
}

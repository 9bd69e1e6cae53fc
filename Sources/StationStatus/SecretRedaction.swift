/// Keeps the status token out of everything the API serves.
///
/// The token belongs in `STATE/status.json` and nowhere else, but the texts the API shows come
/// from elsewhere (activity messages, failure reasons, module sources): if one of them ever
/// carries the token, a page that reads `/api/v1/activity` or a scraper that stores `/metrics`
/// would keep the password to the daemon's actions. The route handlers pass every text the
/// provider gives them through here; occurrences of the token become ``placeholder``.
struct SecretRedactor: Sendable {
    /// What replaces the secret.
    static let placeholder = "[redacted]"
    /// Shorter secrets are not searched for: replacing a few common letters would mangle every
    /// text (real tokens are 64 hex digits; only tests use short ones).
    static let minimumLength = 8

    private let secret: String?

    init(secret: String) {
        self.secret = secret.count >= Self.minimumLength ? secret : nil
    }

    func callAsFunction(_ text: String) -> String {
        guard let secret, text.contains(secret) else { return text }
        return text.replacing(secret, with: Self.placeholder)
    }

    func callAsFunction(_ snapshot: DaemonSnapshot) -> DaemonSnapshot {
        guard secret != nil else { return snapshot }
        var snapshot = snapshot
        snapshot.version = self(snapshot.version)
        snapshot.peerID = snapshot.peerID.map { self($0) }
        snapshot.listenAddresses = snapshot.listenAddresses.map { self($0) }
        snapshot.modules = snapshot.modules.map { module in
            var module = module
            module.name = self(module.name)
            module.version = self(module.version)
            module.source = self(module.source)
            module.reason = module.reason.map { self($0) }
            module.engine = module.engine.map { self($0) }
            module.lastActivity = module.lastActivity.map { self($0) }
            return module
        }
        return snapshot
    }

    func callAsFunction(_ entries: [ActivityEntry]) -> [ActivityEntry] {
        guard secret != nil else { return entries }
        return entries.map { entry in
            var entry = entry
            entry.module = self(entry.module)
            entry.level = self(entry.level)
            entry.message = self(entry.message)
            return entry
        }
    }
}

// WASIHost: see docs/architecture.md. (Placeholder until the module's first source file lands.)

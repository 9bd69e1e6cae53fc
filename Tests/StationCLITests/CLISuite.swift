import Testing

/// Every command-line suite, run one test at a time. Each of these tests blocks its thread while a
/// real `station` process (or a peer) runs; several at once would take every thread of the
/// cooperative pool on a 2-core machine and starve the asynchronous tests of other targets that
/// share the test process.
@Suite("command line", .serialized)
enum CLI {}

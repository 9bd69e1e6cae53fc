/// The result of ``LoopInstrumenter/instrument(_:initialBudget:)``.
public struct InstrumentedModule: Sendable {
    /// The module to load: rewritten, or the input unchanged when `instrumented` is `false`.
    public let bytes: [UInt8]
    /// Whether the module was rewritten (it has at least one `loop` or tail call).
    public let instrumented: Bool
    /// How many `loop` headers received a checkpoint sequence.
    public let loopCount: Int

    /// Creates a result value.
    public init(bytes: [UInt8], instrumented: Bool, loopCount: Int) {
        self.bytes = bytes
        self.instrumented = instrumented
        self.loopCount = loopCount
    }
}

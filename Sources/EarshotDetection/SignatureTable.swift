// The whole table, fixed capacity, Embedded-clean. Built on the host by
// EarshotSignatures (JSON) or in code; read by DetectionEngine.

/// Up to `SignatureTable.capacity` signatures, in file order.
public struct SignatureTable: Equatable, Sendable {
    /// Maximum number of entries.
    public static let capacity = 16
    /// Version of the table file schema this build reads ("version": 1).
    public static let schemaVersion = 1

    @usableFromInline var storage: InlineArray<16, Signature> = InlineArray(repeating: Signature())
    /// Number of entries (0…capacity).
    public private(set) var count: Int = 0
    /// The learned decision stage (JSON "classifier"), or nil for a table of
    /// hand-written entries only. When present, it decides the classes it
    /// lists and the entries of those classes do not run.
    public var classifier: CandidateClassifier?

    /// An empty table.
    public init() {}

    /// The i-th entry, i in 0 ..< count.
    public subscript(i: Int) -> Signature {
        get { storage[i] }
        set { precondition(i < count, "signature index out of range"); storage[i] = newValue }
    }

    /// Appends `signature`; returns false (and changes nothing) when full.
    @discardableResult
    public mutating func append(_ signature: Signature) -> Bool {
        guard count < 16 else { return false }
        storage[count] = signature
        count += 1
        return true
    }

    /// Removes the entry at `i`, keeping the order of the others.
    public mutating func remove(at i: Int) {
        precondition(i < count, "signature index out of range")
        var j = i
        while j + 1 < count { storage[j] = storage[j + 1]; j += 1 }
        count -= 1
    }

    /// Index of the first entry reporting `soundClass`, or nil.
    public func index(of soundClass: SoundClass) -> Int? {
        for i in 0..<count where storage[i].soundClass == soundClass { return i }
        return nil
    }

    /// Index of the entry named `name`, or nil.
    public func index(named name: SignatureName) -> Int? {
        for i in 0..<count where storage[i].name == name { return i }
        return nil
    }

    public static func == (a: SignatureTable, b: SignatureTable) -> Bool {
        guard a.count == b.count, a.classifier == b.classifier else { return false }
        for i in 0..<a.count where a.storage[i] != b.storage[i] { return false }
        return true
    }
}

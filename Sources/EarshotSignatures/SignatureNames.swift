// Host-side String conveniences for names stored inline in the detector.
import EarshotDetection

extension SignatureName {
    /// Stores up to 31 bytes of `string` (callers validate the length first).
    public init(string: String) {
        self.init()
        for (i, b) in string.utf8.prefix(31).enumerated() { bytes[i] = b }
    }

    /// The name as a String.
    public var string: String {
        String(decoding: (0..<count).map { bytes[$0] }, as: UTF8.self)
    }
}

extension SoundClass {
    /// The built-in class with this snake_case name, or nil.
    public init?(builtinName name: String) {
        for raw in 0..<UInt8(SoundClass.builtinCount) {
            let c = SoundClass(rawValue: raw)
            if let n = c.builtinName, n.description == name { self = c; return }
        }
        return nil
    }
}

extension SignatureTable {
    /// snake_case name of `soundClass` (from the table entry, else built-in, else "class_N").
    public func className(of soundClass: SoundClass) -> String {
        if let i = index(of: soundClass) { return self[i].name.string }
        if let n = soundClass.builtinName { return n.description }
        return "class_\(soundClass.rawValue)"
    }

    /// snake_case name of the entry that produced `event`.
    public func className(of event: Event) -> String {
        Int(event.entryIndex) < count ? self[Int(event.entryIndex)].name.string : className(of: event.soundClass)
    }
}

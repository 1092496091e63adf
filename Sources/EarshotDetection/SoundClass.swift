// The sound classes the detector knows by name, plus room for classes a city
// adds with `earshot learn` (their names live in the signature table).

/// A class of sound. The ten built-in classes have fixed raw values 0…9 and
/// snake_case names; learned classes use raw values ≥ `SoundClass.firstCustom`
/// and take their name from the signature table entry.
public struct SoundClass: RawRepresentable, Hashable, Sendable {
    /// Stable numeric id (0…9 built-in, 32…255 learned).
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let gunshot = SoundClass(rawValue: 0)
    public static let explosion = SoundClass(rawValue: 1)
    public static let glassBreak = SoundClass(rawValue: 2)
    public static let scream = SoundClass(rawValue: 3)
    public static let powerTool = SoundClass(rawValue: 4)
    public static let carHorn = SoundClass(rawValue: 5)
    public static let aerosolSpray = SoundClass(rawValue: 6)
    public static let siren = SoundClass(rawValue: 7)
    public static let tireScreech = SoundClass(rawValue: 8)
    public static let loudImpulse = SoundClass(rawValue: 9)

    /// Number of built-in classes (raw values 0 ..< builtinCount).
    public static let builtinCount = 10
    /// First raw value used for learned (custom) classes.
    public static let firstCustom: UInt8 = 32

    /// The n-th learned class (n in 0…223).
    public static func custom(_ n: UInt8) -> SoundClass { SoundClass(rawValue: firstCustom &+ n) }

    /// True for the ten classes that ship with the package.
    public var isBuiltin: Bool { rawValue < 10 }

    /// snake_case name of a built-in class ("gunshot", "glass_break", …);
    /// nil for learned classes (ask the table for their name).
    public var builtinName: StaticString? {
        switch rawValue {
        case 0: "gunshot"
        case 1: "explosion"
        case 2: "glass_break"
        case 3: "scream"
        case 4: "power_tool"
        case 5: "car_horn"
        case 6: "aerosol_spray"
        case 7: "siren"
        case 8: "tire_screech"
        case 9: "loud_impulse"
        default: nil
        }
    }

    /// ONVIF `tt:AudioClassType` name where ONVIF defines one
    /// (gun_shot, scream, glass_breaking, tire_screech); nil otherwise.
    public var onvifName: StaticString? {
        switch rawValue {
        case 0: "gun_shot"
        case 2: "glass_breaking"
        case 3: "scream"
        case 8: "tire_screech"
        default: nil
        }
    }
}

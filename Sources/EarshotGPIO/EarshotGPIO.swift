// PTZ trigger lines. The only module that imports CGPIOD.
import CGPIOD

/// The libgpiod version this binary runs against (e.g. "1.6.3").
public func gpiodLibraryVersion() -> String { String(cString: gpiod_version_string()) }

// ALSA capture and audio files. The only module that imports CAlsa.
import CAlsa

/// The libasound version this binary runs against (e.g. "1.2.8").
public func alsaLibraryVersion() -> String { String(cString: snd_asoundlib_version()) }

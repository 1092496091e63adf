// Configuration, wiring and services of the agent.
import EarshotAudio
import EarshotGPIO
import EarshotMQTT

/// Versions of the C libraries the agent is linked against, for `--version`.
public func linkedLibraryVersions() -> String {
    let m = mosquittoLibraryVersion()
    return "libasound \(alsaLibraryVersion()), libgpiod \(gpiodLibraryVersion()), libmosquitto \(m.major).\(m.minor).\(m.revision)"
}

// MQTT publishing and the persistent outbox. The only module that imports CMosquitto.
import CMosquitto

/// The libmosquitto version this binary runs against as (major, minor, revision).
public func mosquittoLibraryVersion() -> (major: Int32, minor: Int32, revision: Int32) {
    var major: Int32 = 0, minor: Int32 = 0, revision: Int32 = 0
    _ = mosquitto_lib_version(&major, &minor, &revision)
    return (major, minor, revision)
}

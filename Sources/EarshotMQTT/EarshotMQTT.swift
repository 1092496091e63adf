// MQTT publishing and the persistent outbox. The only module that imports CMosquitto.
//
// Pieces (one job per file):
//   Payloads/   JSONWriter (fixed buffer, no Foundation), UTCTimestamp (RFC 3339, ns),
//               EventMessage, StatusMessage, TelemetryMessage, CommandMessage, Topics,
//               HomeAssistantDiscovery. Schemas: Schemas/*.schema.json.
//   Outbox/     Outbox: bounded, append-only, CRC-checked log, fdatasync per message,
//               settled on PUBACK, replayed in order after reconnect and restart.
//   Client/     MosquittoSession (every libmosquitto call), MQTTPublisher (threads,
//               reconnect with backoff + jitter, status/will, commands), MQTTError.
//
// Threads of an MQTTPublisher:
//   caller       publish(event:)/store(event:)/publish(telemetry:): encode + outbox append
//                + fdatasync, then mosquitto_publish (queues only; never waits on the
//                network). The agent calls them from its dispatcher thread, never from
//                the analysis thread.
//   earshot-mqtt     connect/reconnect, mosquitto_loop, PUBACK → outbox ack, commands.
import CMosquitto

/// The libmosquitto version this binary runs against as (major, minor, revision).
public func mosquittoLibraryVersion() -> (major: Int32, minor: Int32, revision: Int32) {
    var major: Int32 = 0, minor: Int32 = 0, revision: Int32 = 0
    _ = mosquitto_lib_version(&major, &minor, &revision)
    return (major, minor, revision)
}

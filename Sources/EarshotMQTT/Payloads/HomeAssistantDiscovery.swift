// Home Assistant MQTT discovery: retained configs so dashboards pick the box up.
import EarshotText

/// Builds the discovery messages (published retained at each connect when
/// `MQTTConfiguration.homeAssistantDiscovery` is on):
/// - `{prefix}/sensor/earshot_{site}_{sensor}/laeq/config`: LAeq from telemetry;
/// - `{prefix}/event/earshot_{site}_{sensor}/{class}/config`: one event entity per class.
/// Availability follows the retained status (`online`/`offline`).
public enum HomeAssistantDiscovery {
    /// (topic, JSON payload) pairs.
    public static func configs(configuration c: MQTTConfiguration, topics: MQTTTopics) -> [(String, [UInt8])] {
        let node = "earshot_\(c.site)_\(c.sensor)".map { $0.isLetter || $0.isNumber || $0 == "_" ? $0 : "_" }
        let nodeID = String(node)
        let w = JSONWriter(capacity: 2048)
        var out: [(String, [UInt8])] = []

        func common(name: String, uniqueID: String) {
            w.key("name"); w.string(name)
            w.key("unique_id"); w.string(uniqueID)
            w.key("availability_topic"); w.string(topics.status)
            w.key("availability_template"); w.string("{{ value_json.state }}")
            w.key("payload_available"); w.string("online")
            w.key("payload_not_available"); w.string("offline")
            w.key("device"); w.beginObject()
            w.key("identifiers"); w.beginArray(); w.string(nodeID); w.endArray()
            w.key("name"); w.string("Earshot \(c.site)/\(c.sensor)")
            w.key("manufacturer"); w.string("Earshot")
            w.endObject()
        }

        // Calibrated: sound pressure in dB(A) (HA's "dBA"). Uncalibrated the values are dBFS
        // (around −60 for a street): no sound_pressure device class, the unit says dBFS.
        // The telemetry payload's `unit` says the same ("dB SPL" / "dBFS").
        w.reset(); w.beginObject()
        common(name: c.levelsCalibrated ? "LAeq" : "LAeq (uncalibrated, dBFS)", uniqueID: nodeID + "_laeq")
        w.key("state_topic"); w.string(topics.telemetry)
        w.key("value_template"); w.string("{{ value_json.laeq }}")
        if c.levelsCalibrated {
            w.key("unit_of_measurement"); w.string("dBA")
            w.key("device_class"); w.string("sound_pressure")
        } else {
            w.key("unit_of_measurement"); w.string("dBFS")
        }
        w.key("state_class"); w.string("measurement")
        w.endObject()
        out.append(("\(c.homeAssistantPrefix)/sensor/\(nodeID)/laeq/config", Array(w.bytes)))

        for eventClass in c.homeAssistantEventClasses {
            let safe = String(eventClass.map { $0.isLetter || $0.isNumber || $0 == "_" ? $0 : "_" })
            w.reset(); w.beginObject()
            common(name: eventClass, uniqueID: nodeID + "_event_" + safe)
            w.key("state_topic"); w.string(topics.event)
            w.key("event_types"); w.beginArray(); w.string(eventClass); w.endArray()
            // Only this entity's class produces an event, and not the `end` of a sustained sound.
            w.key("value_template")
            w.string("{% if value_json.class == '\(eventClass)' and (value_json.phase | default('start')) != 'end' %}{\"event_type\": \"\(eventClass)\", \"id\": \"{{ value_json.id }}\", \"confidence\": {{ value_json.confidence }}}{% endif %}")
            w.endObject()
            out.append(("\(c.homeAssistantPrefix)/event/\(nodeID)/\(safe)/config", Array(w.bytes)))
        }
        return out
    }
}

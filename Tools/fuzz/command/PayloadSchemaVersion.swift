// The fuzz build compiles only the command path of EarshotMQTT (CommandMessage, JSONWriter,
// UTCTimestamp, Topics, MQTTError); the real constant lives in Payloads/EventMessage.swift,
// which pulls in every other payload. Same value: the "schema" field of every payload.
let earshotPayloadSchemaVersion = 1

# MQTT client, outbox and broker tests (real mosquitto on 127.0.0.1, free port).
#   make test-mqtt    runs Tests/EarshotMQTTTests (about 6 s; needs mosquitto, mosquitto-clients, openssl)
MQTT_TEST_FLAGS ?=

.PHONY: test-mqtt
## test-mqtt: EarshotMQTT against a real broker (schemas, last will, broker/client SIGKILL, TLS)
test-mqtt:
	$(SWIFT) test $(MQTT_TEST_FLAGS) --filter EarshotMQTTTests

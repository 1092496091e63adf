# Supervision centre (issue 15): a simulated city against the real earshot-central.
# FLEET_BOXES boxes on a FLEET_SPACING_M grid publish through the agent's MQTTPublisher and
# outbox to a real mosquitto (killed with SIGKILL and restarted half-way), in worker processes
# of at most FLEET_BOXES_PER_WORKER boxes (libmosquitto's select() stops at fd 1024); prints
# fleet_boxes= events_sent= events_received= incidents_true= incidents_found= localisation_median_m=
# localisation_p90_m= incident_latency_p50_ms= incident_latency_p99_ms= handover_latency_p99_ms=
# central_cpu_s_per_event= lost= worker_processes=
# FLEET_ARGS="--partitions N": N earshot-central instances, one per strip of the city ([partition]);
# adds central_instances= events_received_per_instance= central_cpu_s_per_instance=
.PHONY: fleet

FLEET_BUILD ?= .build-fleet
FLEET_BOXES ?= 100
FLEET_DURATION_S ?= 60
FLEET_SOURCES_PER_MIN ?= 30
FLEET_CLOCK_ERROR_MS ?= 1
FLEET_SPACING_M ?= 150
FLEET_BOXES_PER_WORKER ?= 200
FLEET_ARGS ?=

## fleet: simulated city (FLEET_BOXES, FLEET_DURATION_S, FLEET_SOURCES_PER_MIN, FLEET_CLOCK_ERROR_MS, FLEET_BOXES_PER_WORKER)
fleet: deps
	$(SWIFT) build -c release --scratch-path $(FLEET_BUILD) --product earshot-central
	$(SWIFT) build -c release --scratch-path $(FLEET_BUILD) --product earshot-fleet
	$(FLEET_BUILD)/release/earshot-fleet --boxes $(FLEET_BOXES) --duration-s $(FLEET_DURATION_S) \
	  --sources-per-min $(FLEET_SOURCES_PER_MIN) --clock-error-ms $(FLEET_CLOCK_ERROR_MS) --spacing-m $(FLEET_SPACING_M) \
	  --boxes-per-worker $(FLEET_BOXES_PER_WORKER) --central $(FLEET_BUILD)/release/earshot-central $(FLEET_ARGS)

.PHONY: demo-central
DEMO_CENTRAL_PNG ?= $(FLEET_BUILD)/central-demo.png

## demo-central: a 20-box, 30 s city with the operator's page; writes its screenshot (headless Chromium)
demo-central: deps
	$(SWIFT) build -c release --scratch-path $(FLEET_BUILD) --product earshot-central
	$(SWIFT) build -c release --scratch-path $(FLEET_BUILD) --product earshot-fleet
	$(FLEET_BUILD)/release/earshot-fleet --boxes 20 --duration-s 30 --sources-per-min 6 --no-broker-kill \
	  --central $(FLEET_BUILD)/release/earshot-central --screenshot $(DEMO_CENTRAL_PNG)

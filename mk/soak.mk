# Soak (issue 7): hours of synthetic street audio through the whole agent at full speed,
# real mosquitto on 127.0.0.1, RSS per simulated hour, allocation census, events
# inserted/detected/delivered, the retained status every 30 s of simulated audio (its thread
# counted in allocs_steady). SOAK_HOURS=1 for a quick run (< 1 min of analysis).
.PHONY: soak

SOAK_HOURS ?= 24
SOAK_BUILD ?= .build-soak

## soak: prints soak_audio_h=… rss_growth_kib=… allocs_steady=… events_inserted=… events_delivered=… status_published=…
soak: deps
	$(SWIFT) build -c release --scratch-path $(SOAK_BUILD) --product earshot-soak
	@mkdir -p $(SOAK_BUILD)/logs
	@echo "soak: $(SOAK_HOURS) h of audio; agent log in $(SOAK_BUILD)/logs/soak-agent.log"
	@start=$$(date +%s); \
	LD_PRELOAD=$$PWD/$(SOAK_BUILD)/release/libMallocInterposerSwift.so $(SOAK_BUILD)/release/earshot-soak $(SOAK_HOURS) \
	  2> $(SOAK_BUILD)/logs/soak-agent.log; rc=$$?; \
	echo "soak_total_wall_s=$$(( $$(date +%s) - start ))"; \
	if [ $$rc -ne 0 ]; then grep -v '^earshot: event id=' $(SOAK_BUILD)/logs/soak-agent.log | tail -20; fi; exit $$rc

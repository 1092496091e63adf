# The agent (`earshot run`): whole-pipeline budgets, issue 5 "Must show" 5.
.PHONY: bench-agent

# BENCH_AGENT_SCRATCH: the SwiftPM scratch folder to build in (default .build).
# BENCH_AGENT_EARSHOT: measure this earshot binary instead of the one built next to the bench,
#   e.g. the shipped static-stdlib build: make bench-agent BENCH_AGENT_EARSHOT=.build-static/release/earshot
#   (the bench runs the `earshot` beside its own executable, so it is copied into a folder
#   holding a link to that binary).
BENCH_AGENT_SCRATCH ?= .build
BENCH_AGENT_EARSHOT ?=
BENCH_AGENT_ARGS ?= 60 20 20
BENCH_AGENT_REL = $(BENCH_AGENT_SCRATCH)/release
# Built for the host's vector unit like `make bench` (BENCH_FLAGS, Makefile): the
# baseline x86-64 (SSE2) code of the chain is ~9x slower per hop than the code an
# aarch64 box (NEON) or an AVX2/AVX-512 PC runs, so it would measure no shipped CPU.

## bench-agent: allocs_per_audio_s, rss_mib, cpu_s_per_audio_s, latency_p50_ms, latency_p99_ms (release, real mosquitto)
bench-agent: deps
	@echo "bench_agent_target_cpu=$(or $(BENCH_CPU),x86-64 baseline)"
	$(SWIFT) build --scratch-path $(BENCH_AGENT_SCRATCH) -c release --product earshot-agent-bench $(BENCH_FLAGS)
ifeq ($(strip $(BENCH_AGENT_EARSHOT)),)
	$(SWIFT) build --scratch-path $(BENCH_AGENT_SCRATCH) -c release --product earshot $(BENCH_FLAGS)
	LD_PRELOAD=$$PWD/$(BENCH_AGENT_REL)/libMallocInterposerSwift.so $(BENCH_AGENT_REL)/earshot-agent-bench $(BENCH_AGENT_ARGS)
else
	@test -x "$(BENCH_AGENT_EARSHOT)" || { echo "BENCH_AGENT_EARSHOT=$(BENCH_AGENT_EARSHOT) is not an executable"; exit 1; }
	rm -rf $(BENCH_AGENT_REL)/bench-agent-alt && mkdir -p $(BENCH_AGENT_REL)/bench-agent-alt
	cp $(BENCH_AGENT_REL)/earshot-agent-bench $(BENCH_AGENT_REL)/bench-agent-alt/
	for so in $(BENCH_AGENT_REL)/*.so; do ln -s "$$(realpath $$so)" $(BENCH_AGENT_REL)/bench-agent-alt/; done
	ln -s "$$(realpath $(BENCH_AGENT_EARSHOT))" $(BENCH_AGENT_REL)/bench-agent-alt/earshot
	@echo "bench_agent_earshot=$$(realpath $(BENCH_AGENT_EARSHOT))"
	LD_PRELOAD=$$PWD/$(BENCH_AGENT_REL)/libMallocInterposerSwift.so $(BENCH_AGENT_REL)/bench-agent-alt/earshot-agent-bench $(BENCH_AGENT_ARGS)
endif

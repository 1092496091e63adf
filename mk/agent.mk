# The agent (`earshot run`): whole-pipeline budgets, issue 5 "Must show" 5.
.PHONY: bench-agent

# What is measured is the binary that ships: `earshot` with the Swift standard library
# linked statically (as `make package` and the HIL build it), in its own scratch folder.
# BENCH_AGENT_SCRATCH: the SwiftPM scratch folder of the bench harness (default .build).
# BENCH_AGENT_STATIC_SCRATCH: where the measured static `earshot` is built (default .build-bench-static).
# BENCH_AGENT_EARSHOT: measure this earshot binary instead (e.g. a dynamically linked
#   .build/release/earshot); the bench runs the `earshot` beside its own executable, so
#   it is copied into a folder holding a link to that binary.
BENCH_AGENT_SCRATCH ?= .build
BENCH_AGENT_STATIC_SCRATCH ?= .build-bench-static
BENCH_AGENT_EARSHOT ?=
BENCH_AGENT_ARGS ?= 60 20 20
BENCH_AGENT_REL = $(BENCH_AGENT_SCRATCH)/release
BENCH_AGENT_BIN = $(or $(strip $(BENCH_AGENT_EARSHOT)),$(BENCH_AGENT_STATIC_SCRATCH)/release/earshot)
# Built for the host's vector unit like `make bench` (BENCH_FLAGS, Makefile): the
# baseline x86-64 (SSE2) code of the chain is ~9x slower per hop than the code an
# aarch64 box (NEON) or an AVX2/AVX-512 PC runs, so it would measure no shipped CPU.

## bench-agent: allocs_per_audio_s, rss_mib, cpu_s_per_audio_s, latency_p50_ms, latency_p99_ms (shipped static build, real mosquitto)
bench-agent: deps
	@echo "bench_agent_target_cpu=$(or $(BENCH_CPU),x86-64 baseline)"
	$(SWIFT) build --scratch-path $(BENCH_AGENT_SCRATCH) -c release --product earshot-agent-bench $(BENCH_FLAGS)
ifeq ($(strip $(BENCH_AGENT_EARSHOT)),)
	$(SWIFT) build --scratch-path $(BENCH_AGENT_STATIC_SCRATCH) -c release --static-swift-stdlib --product earshot $(BENCH_FLAGS)
endif
	@test -x "$(BENCH_AGENT_BIN)" || { echo "$(BENCH_AGENT_BIN) is not an executable"; exit 1; }
	rm -rf $(BENCH_AGENT_REL)/bench-agent-alt && mkdir -p $(BENCH_AGENT_REL)/bench-agent-alt
	cp $(BENCH_AGENT_REL)/earshot-agent-bench $(BENCH_AGENT_REL)/bench-agent-alt/
	for so in $(BENCH_AGENT_REL)/*.so; do ln -s "$$(realpath $$so)" $(BENCH_AGENT_REL)/bench-agent-alt/; done
	ln -s "$$(realpath $(BENCH_AGENT_BIN))" $(BENCH_AGENT_REL)/bench-agent-alt/earshot
	@echo "bench_agent_earshot=$$(realpath $(BENCH_AGENT_BIN))"
	LD_PRELOAD=$$PWD/$(BENCH_AGENT_REL)/libMallocInterposerSwift.so $(BENCH_AGENT_REL)/bench-agent-alt/earshot-agent-bench $(BENCH_AGENT_ARGS)

# The agent (`earshot run`): whole-pipeline budgets, issue 5 "Must show" 5.
.PHONY: bench-agent

## bench-agent: allocs_per_audio_s, rss_mib, cpu_s_per_audio_s, latency_p50_ms, latency_p99_ms (release, real mosquitto)
bench-agent: deps
	$(SWIFT) build -c release --product earshot-agent-bench
	$(SWIFT) build -c release --product earshot
	LD_PRELOAD=$$PWD/.build/release/libMallocInterposerSwift.so .build/release/earshot-agent-bench 60 20 20

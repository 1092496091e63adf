# Earshot developer targets. README.md names the ones users need.
SHELL := /bin/bash
SWIFT ?= swift
EMBEDDED_FLAGS := -enable-experimental-feature Embedded -no-allocations -wmo -O -parse-as-library
DSP_SOURCES := $(shell find Sources/EarshotDSP -name '*.swift' | sort)
EMB := .build-embedded

.PHONY: deps build test embedded-check embedded demo bench alloc-check clean census

## deps: install the Debian packages (sudo when not root); idempotent
deps:
	@bash Tools/install-deps.sh

build: deps
	$(SWIFT) build

## test: everything CI runs: unit + integration tests, Embedded build and ARM comparison,
## allocation count, short fuzzing, .deb build + install test, hardware-in-the-loop VM,
## and that make bench-arm's aarch64 instruction counts repeat exactly (short signal)
test: deps embedded embedded-check-detection alloc-check
	$(SWIFT) test
	$(MAKE) --no-print-directory bench-arm-check
	$(MAKE) --no-print-directory fuzz-short
	$(MAKE) --no-print-directory test-package
	$(MAKE) --no-print-directory hil

## census: per module, the @unchecked Sendable, unsafe-pointer, pthread_create, strerror,
## clock_gettime and fsync lines (issue 18: they belong in EarshotPlatform, adapters, kernels);
## CENSUS_REV=<git rev> counts that revision instead of the working tree
census:
	@bash Tools/audit/census.sh $(CENSUS_REV)

## embedded-check: EarshotDSP compiles as Embedded Swift for aarch64 and armv7em
embedded-check:
	@mkdir -p $(EMB)
	@for t in aarch64-none-none-elf armv7em-none-none-eabi; do \
	  swiftc -target $$t $(EMBEDDED_FLAGS) -module-name EarshotDSP $(DSP_SOURCES) -c -o $(EMB)/EarshotDSP-$$t.o \
	    || { echo "embedded-check: EarshotDSP does not compile as Embedded Swift for $$t"; exit 1; }; \
	  echo "embedded-check: $$t ok ($$(stat -c %s $(EMB)/EarshotDSP-$$t.o) bytes)"; \
	done

## embedded: Embedded build for aarch64 + armv7em; the aarch64 harness runs under
## qemu and its feature frames must equal the x86_64 twin's byte for byte, and so
## must the octave filterbank's band energies over calls of uneven length (each
## architecture runs its own kernel: block edges, odd and empty calls) and the
## learned stage's output (EarshotDetection as a second Embedded module:
## a seeded int8 classifier's candidates, features, logits and events)
EMB_DSP_SOURCES := $(DSP_SOURCES) Embedded/EarshotDSPExports.swift
EMB_DETECTION_EXPORTS := Embedded/EarshotDetectionExports.swift
EMB_LEARNED_SECONDS := 31
embedded: embedded-check
	@mkdir -p $(EMB)
	@for t in aarch64 x86_64; do \
	  d=$(EMB)/$$t; mkdir -p $$d; \
	  if [ $$t = aarch64 ]; then triple=aarch64-none-none-elf; extra=; cc=aarch64-linux-gnu-gcc; \
	  else triple=x86_64-unknown-none-elf; extra="-Xfrontend -disable-stack-protector"; cc=gcc; fi; \
	  echo "embedded: $$triple: EarshotDSP + EarshotDetection"; \
	  swiftc -target $$triple $(EMBEDDED_FLAGS) $$extra -module-name EarshotDSP $(EMB_DSP_SOURCES) \
	    -emit-module -emit-module-path $$d/EarshotDSP.swiftmodule -c -o $$d/EarshotDSP.o || exit 1; \
	  swiftc -target $$triple $(EMBEDDED_FLAGS) $$extra -I $$d -module-name EarshotDetection \
	    $(DETECTION_SOURCES) $(EMB_DETECTION_EXPORTS) -c -o $$d/EarshotDetection.o || exit 1; \
	  $$cc -O2 Embedded/harness.c $$d/EarshotDSP.o $$d/EarshotDetection.o -o $(EMB)/harness-$$t -lm || exit 1; \
	done
	@for rate in 16000 48000; do \
	  qemu-aarch64 -L /usr/aarch64-linux-gnu $(EMB)/harness-aarch64 $$rate 21 > $(EMB)/frames-aarch64-$$rate.bin || exit 1; \
	  $(EMB)/harness-x86_64 $$rate 21 > $(EMB)/frames-x86_64-$$rate.bin || exit 1; \
	  n=$$(stat -c %s $(EMB)/frames-x86_64-$$rate.bin); \
	  if [ "$$n" -eq 0 ]; then echo "embedded: no frames at $$rate Hz"; exit 1; fi; \
	  if cmp -s $(EMB)/frames-aarch64-$$rate.bin $(EMB)/frames-x86_64-$$rate.bin; then \
	    echo "embedded: $$rate Hz: aarch64 (qemu) == x86_64, $$n bytes of feature frames, sha256 $$(sha256sum < $(EMB)/frames-x86_64-$$rate.bin | cut -c1-16)"; \
	  else echo "embedded: $$rate Hz: aarch64 and x86_64 feature frames DIFFER:"; cmp $(EMB)/frames-aarch64-$$rate.bin $(EMB)/frames-x86_64-$$rate.bin | head -3; exit 1; fi; \
	done
	@for rate in 16000 48000; do \
	  a=$(EMB)/bank-aarch64-$$rate.bin; x=$(EMB)/bank-x86_64-$$rate.bin; \
	  qemu-aarch64 -L /usr/aarch64-linux-gnu $(EMB)/harness-aarch64 $$rate 6 bank > $$a || exit 1; \
	  $(EMB)/harness-x86_64 $$rate 6 bank > $$x || exit 1; \
	  n=$$(( $$(stat -c %s $$x) / 64 )); \
	  if [ "$$n" -eq 0 ]; then echo "embedded: filterbank: no calls at $$rate Hz"; exit 1; fi; \
	  if cmp -s $$a $$x; then \
	    echo "embedded: filterbank alone: aarch64 (qemu) == x86_64, $$n calls of 0-480 samples, sha256 $$(sha256sum < $$x | cut -c1-16) ($$rate Hz)"; \
	  else echo "embedded: filterbank alone: $$rate Hz: aarch64 and x86_64 band energies DIFFER:"; cmp $$a $$x | head -3; exit 1; fi; \
	done
	@for rate in 16000 48000; do \
	  a=$(EMB)/learned-aarch64-$$rate.bin; x=$(EMB)/learned-x86_64-$$rate.bin; \
	  qemu-aarch64 -L /usr/aarch64-linux-gnu $(EMB)/harness-aarch64 $$rate $(EMB_LEARNED_SECONDS) detect > $$a 2> $$a.txt || { cat $$a.txt; exit 1; }; \
	  $(EMB)/harness-x86_64 $$rate $(EMB_LEARNED_SECONDS) detect > $$x 2> $$x.txt || { cat $$x.txt; exit 1; }; \
	  n=$$(sed -n 's/.*candidates=\([0-9]*\).*/\1/p' $$x.txt); m=$$(sed -n 's/.*events=\([0-9]*\).*/\1/p' $$x.txt); \
	  if [ -z "$$n" ] || [ "$$n" -eq 0 ]; then echo "embedded: learned stage: $$rate Hz: no candidates opened ($$(cat $$x.txt))"; exit 1; fi; \
	  if cmp -s $$a $$x && cmp -s $$a.txt $$x.txt; then \
	    echo "embedded: learned stage: aarch64 (qemu) == x86_64, $$n candidates, $$m events, sha256 $$(sha256sum < $$x | cut -c1-16) ($$rate Hz, $(EMB_LEARNED_SECONDS) s, $$(stat -c %s $$x) bytes of features, logits and events)"; \
	  else echo "embedded: learned stage: $$rate Hz: aarch64 and x86_64 DIFFER (aarch64: $$(cat $$a.txt); x86_64: $$(cat $$x.txt)):"; cmp $$a $$x | head -3; exit 1; fi; \
	done

## bench: release build, kernel speeds, CMSIS-DSP comparison (prints key=value lines)
BENCH_VENV := .venv-bench
$(BENCH_VENV)/.ready:
	python3 -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install -q numpy cmsisdsp
	touch $@

# The x86_64 benchmark builds (`bench`, and `bench-agent` in mk/agent.mk) target
# the host's vector unit (AVX-512 or AVX2), as an aarch64 build always has NEON:
# the baseline x86-64 target (SSE2) has no signed 32x32->64 vector multiply and
# would measure a CPU nobody ships. One definition, used by both targets.
BENCH_CPU := $(shell grep -qw avx512f /proc/cpuinfo && echo skylake-avx512 || (grep -qw avx2 /proc/cpuinfo && echo haswell))
BENCH_FLAGS := $(if $(BENCH_CPU),-Xswiftc -target-cpu -Xswiftc $(BENCH_CPU))
bench: deps $(BENCH_VENV)/.ready
	$(SWIFT) build -c release --scratch-path .build-bench --product earshot-bench $(BENCH_FLAGS)
	BENCH_BIN=.build-bench/release/earshot-bench BENCH_CPU="$(BENCH_CPU)" bash Tools/bench/run.sh
	$(MAKE) --no-print-directory bench-analyze EVAL_BUILD_FLAGS="-c release --scratch-path .build-bench $(BENCH_FLAGS)"

## alloc-check: heap allocations of the steady-state analysis path (must be 0)
alloc-check: deps
	$(SWIFT) build -c release --product earshot-alloc
	LD_PRELOAD=$$PWD/.build/release/libMallocInterposerSwift.so .build/release/earshot-alloc 10000

clean:
	rm -rf .build $(EMB)

## demo: build and run earshot on a built-in synthetic signal
demo: deps
	$(SWIFT) build -c release --product earshot
	.build/release/earshot demo
-include mk/*.mk

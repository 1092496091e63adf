# Fuzzing (issue 7): libFuzzer targets built with swiftc -sanitize=fuzzer,address from the
# sources they test (no SwiftPM: libFuzzer supplies main, and none of these sources import
# a C module but CTimex, a header-only shim found with -I). Targets, harnesses and seed generators: Tools/fuzz/ (see its README.md).
.PHONY: fuzz fuzz-short fuzz-build

FUZZ_DIR := .build-fuzz
FUZZ_SWIFTC ?= swiftc
FUZZ_FLAGS := -sanitize=fuzzer,address -parse-as-library -O -g -wmo -suppress-warnings -I Sources/CTimex
FUZZ_TARGETS := wav config signatures command
FUZZ_DSP := $(shell find Sources/EarshotDSP -name '*.swift' | sort)
FUZZ_DETECTION := $(shell find Sources/EarshotDetection -name '*.swift' | sort)
FUZZ_JSON := $(wildcard Sources/EarshotJSON/*.swift)
FUZZ_FILES := $(shell find Sources/EarshotPlatform -name '*.swift' | sort)
FUZZ_SRC_wav := $(wildcard Sources/EarshotAudio/WAV/*.swift) $(wildcard Tools/fuzz/wav/*.swift)
FUZZ_SRC_config := $(wildcard Sources/EarshotConfig/*.swift) $(wildcard Tools/fuzz/config/*.swift)
FUZZ_SRC_signatures := $(shell find Sources/EarshotSignatures -name '*.swift' | sort) $(wildcard Tools/fuzz/signatures/*.swift)
FUZZ_TEXT := $(wildcard Sources/EarshotText/*.swift)
FUZZ_SRC_command := $(addprefix Sources/EarshotMQTT/,Payloads/CommandMessage.swift \
  Payloads/UTCTimestamp.swift Payloads/Topics.swift Client/MQTTError.swift) $(wildcard Tools/fuzz/command/*.swift)

$(FUZZ_DIR)/mod/EarshotDSP.o: $(FUZZ_DSP)
	@mkdir -p $(FUZZ_DIR)/mod
	$(FUZZ_SWIFTC) $(FUZZ_FLAGS) -c -module-name EarshotDSP -emit-module -emit-module-path $(FUZZ_DIR)/mod/EarshotDSP.swiftmodule $(FUZZ_DSP) -o $@

$(FUZZ_DIR)/mod/EarshotJSON.o: $(FUZZ_JSON)
	@mkdir -p $(FUZZ_DIR)/mod
	$(FUZZ_SWIFTC) $(FUZZ_FLAGS) -c -module-name EarshotJSON -emit-module -emit-module-path $(FUZZ_DIR)/mod/EarshotJSON.swiftmodule $(FUZZ_JSON) -o $@

$(FUZZ_DIR)/mod/EarshotPlatform.o: $(FUZZ_FILES)
	@mkdir -p $(FUZZ_DIR)/mod
	$(FUZZ_SWIFTC) $(FUZZ_FLAGS) -c -module-name EarshotPlatform -emit-module -emit-module-path $(FUZZ_DIR)/mod/EarshotPlatform.swiftmodule $(FUZZ_FILES) -o $@

$(FUZZ_DIR)/mod/EarshotText.o: $(FUZZ_TEXT)
	@mkdir -p $(FUZZ_DIR)/mod
	$(FUZZ_SWIFTC) $(FUZZ_FLAGS) -c -module-name EarshotText -emit-module -emit-module-path $(FUZZ_DIR)/mod/EarshotText.swiftmodule $(FUZZ_TEXT) -o $@

$(FUZZ_DIR)/mod/EarshotDetection.o: $(FUZZ_DETECTION) $(FUZZ_DIR)/mod/EarshotDSP.o
	$(FUZZ_SWIFTC) $(FUZZ_FLAGS) -c -I $(FUZZ_DIR)/mod -module-name EarshotDetection -emit-module -emit-module-path $(FUZZ_DIR)/mod/EarshotDetection.swiftmodule $(FUZZ_DETECTION) -o $@

$(FUZZ_DIR)/fuzz-wav: $(FUZZ_SRC_wav) $(FUZZ_DIR)/mod/EarshotDSP.o $(FUZZ_DIR)/mod/EarshotPlatform.o
	$(FUZZ_SWIFTC) $(FUZZ_FLAGS) -I $(FUZZ_DIR)/mod -module-name EarshotAudio -emit-executable -emit-module-path $(FUZZ_DIR)/mod/fuzz-wav.swiftmodule $(FUZZ_SRC_wav) $(FUZZ_DIR)/mod/EarshotDSP.o \
	  $(FUZZ_DIR)/mod/EarshotPlatform.o -lm -o $@

$(FUZZ_DIR)/fuzz-config: $(FUZZ_SRC_config) $(FUZZ_DIR)/mod/EarshotPlatform.o
	$(FUZZ_SWIFTC) $(FUZZ_FLAGS) -I $(FUZZ_DIR)/mod -module-name EarshotConfig -emit-executable -emit-module-path $(FUZZ_DIR)/mod/fuzz-config.swiftmodule $(FUZZ_SRC_config) \
	  $(FUZZ_DIR)/mod/EarshotPlatform.o -o $@

$(FUZZ_DIR)/fuzz-signatures: $(FUZZ_SRC_signatures) $(FUZZ_DIR)/mod/EarshotDetection.o $(FUZZ_DIR)/mod/EarshotJSON.o $(FUZZ_DIR)/mod/EarshotPlatform.o
	$(FUZZ_SWIFTC) $(FUZZ_FLAGS) -I $(FUZZ_DIR)/mod -module-name EarshotSignatures -emit-executable -emit-module-path $(FUZZ_DIR)/mod/fuzz-signatures.swiftmodule $(FUZZ_SRC_signatures) \
	  $(FUZZ_DIR)/mod/EarshotDetection.o $(FUZZ_DIR)/mod/EarshotDSP.o $(FUZZ_DIR)/mod/EarshotJSON.o $(FUZZ_DIR)/mod/EarshotPlatform.o -lm -o $@

$(FUZZ_DIR)/fuzz-command: $(FUZZ_SRC_command) $(FUZZ_DIR)/mod/EarshotJSON.o $(FUZZ_DIR)/mod/EarshotText.o $(FUZZ_DIR)/mod/EarshotPlatform.o
	$(FUZZ_SWIFTC) $(FUZZ_FLAGS) -I $(FUZZ_DIR)/mod -module-name EarshotMQTT -emit-executable -emit-module-path $(FUZZ_DIR)/mod/fuzz-command.swiftmodule $(FUZZ_SRC_command) \
	  $(FUZZ_DIR)/mod/EarshotJSON.o $(FUZZ_DIR)/mod/EarshotText.o $(FUZZ_DIR)/mod/EarshotPlatform.o -o $@

## fuzz-build: the four libFuzzer binaries in .build-fuzz/
fuzz-build: $(foreach t,$(FUZZ_TARGETS),$(FUZZ_DIR)/fuzz-$(t))

## fuzz: every target for 10^6 executions (FUZZ_RUNS); prints fuzz_execs=… fuzz_crashes=…
FUZZ_RUNS ?= 1000000
fuzz: fuzz-build
	@bash Tools/fuzz/run.sh $(FUZZ_DIR) runs=$(FUZZ_RUNS) $(FUZZ_TARGETS)

## fuzz-short: every target for 30 s (CI; FUZZ_SECONDS)
FUZZ_SECONDS ?= 30
fuzz-short: fuzz-build
	@bash Tools/fuzz/run.sh $(FUZZ_DIR) seconds=$(FUZZ_SECONDS) $(FUZZ_TARGETS)

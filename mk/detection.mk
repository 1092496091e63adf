# Embedded check of the detector: EarshotDSP is compiled as its own Embedded
# module, then EarshotDetection against it, for aarch64 and armv7em, with the
# Makefile's EMBEDDED_FLAGS (-no-allocations).
DETECTION_SOURCES := $(shell find Sources/EarshotDetection -name '*.swift' | sort)

.PHONY: embedded-check-detection
## embedded-check-detection: EarshotDSP + EarshotDetection compile as Embedded Swift (aarch64, armv7em)
embedded-check-detection:
	@mkdir -p $(EMB)/detection
	@for t in aarch64-none-none-elf armv7em-none-none-eabi; do \
	  d=$(EMB)/detection/$$t; mkdir -p $$d; \
	  swiftc -target $$t $(EMBEDDED_FLAGS) -module-name EarshotDSP $(DSP_SOURCES) \
	    -emit-module -emit-module-path $$d/EarshotDSP.swiftmodule -c -o $$d/EarshotDSP.o \
	    || { echo "embedded-check-detection: EarshotDSP does not compile as Embedded Swift for $$t"; exit 1; }; \
	  swiftc -target $$t $(EMBEDDED_FLAGS) -I $$d -module-name EarshotDetection $(DETECTION_SOURCES) -c -o $$d/EarshotDetection.o \
	    || { echo "embedded-check-detection: EarshotDetection does not compile as Embedded Swift for $$t"; exit 1; }; \
	  echo "embedded-check-detection: $$t ok ($$(stat -c %s $$d/EarshotDetection.o) bytes)"; \
	done

# make bench-arm (issue 16): deterministic aarch64 instruction counts of the
# Embedded analysis path and of CMSIS-DSP's biquad cascades under qemu-aarch64
# with a TCG instruction-counting plugin; Tools/bench-arm/README.md says what
# each printed figure is and how far the CPU estimate can be trusted.
# Everything it builds or fetches lives in $(BA) (git-ignored), cached by
# version: the QEMU plugin by installed qemu-user version, CMSIS-DSP by the
# pinned PyPI cmsisdsp version, objects by their sources (make's timestamps).
BA := .build-bench-arm
BA_OBJ := $(BA)/obj
BENCH_ARM_CMSIS_VERSION := 1.10.3
BA_CMSIS := $(BA)/cmsis/cmsisdsp-$(BENCH_ARM_CMSIS_VERSION)
BA_CMSIS_SRC := Source/FilteringFunctions/arm_biquad_cascade_df1_q15.c Source/FilteringFunctions/arm_biquad_cascade_df1_init_q15.c \
  Source/FilteringFunctions/arm_biquad_cascade_df1_32x64_q31.c Source/FilteringFunctions/arm_biquad_cascade_df1_32x64_init_q31.c
# The flags the cmsisdsp sdist's setup.py uses on aarch64 Linux, with the
# issue's -O3 -mcpu=cortex-a53; the second build adds CMSIS's loop unrolling
# (off in the PyPI build, on in CMSIS's own CMake default). run.sh takes the
# faster of the two for each kernel, so the comparison favours CMSIS.
BA_CMSIS_FLAGS := -O3 -mcpu=cortex-a53 -DARM_MATH_NEON -DCMSISDSP -D__GNUC_PYTHON__ -Wno-attributes
BA_HOST_MODULES := EarshotDSP EarshotJSON EarshotPlatform EarshotDetection EarshotSignatures
BA_HOST_SOURCES := $(shell find $(addprefix Sources/,$(BA_HOST_MODULES)) -name '*.swift' | sort)
# (mk/detection.mk's DETECTION_SOURCES is read after this file: own list, same find)
BA_DETECTION_SOURCES := $(shell find Sources/EarshotDetection -name '*.swift' | sort) $(EMB_DETECTION_EXPORTS) Tools/bench-arm/BenchExports.swift $(BA)/ShippedTable.swift
BENCH_ARM_HOPS ?= 1200

.PHONY: bench-arm bench-arm-check bench-arm-build

## bench-arm: aarch64 instruction counts under qemu (chain, filterbank, detector, learned stage, CMSIS-DSP) and the Pi CPU estimate; prints arm_insn_per_sample_*=, arm_ratio_vs_cmsis=, arm_est_cpu_percent_per_channel_16k_*=
bench-arm: deps bench-arm-build
	@BENCH_ARM_DIR=$(BA) BENCH_ARM_HOPS=$(BENCH_ARM_HOPS) bash Tools/bench-arm/run.sh

## bench-arm-check: make bench-arm's measurement twice with a short signal; the two outputs must be identical
bench-arm-check: deps bench-arm-build
	@BENCH_ARM_DIR=$(BA) bash Tools/bench-arm/check.sh

bench-arm-build: $(BA_OBJ)/bench $(BA_OBJ)/cmsis $(BA_OBJ)/cmsis-unroll
	@BENCH_ARM_DIR=$(BA) bash Tools/bench-arm/plugin.sh > $(BA)/plugin-dir

# The shipped signature table as Swift (the Embedded build cannot parse its JSON):
# generated on the host from DefaultSignatures.table, then compiled back on the
# host and compared with it before the Embedded build may use it.
$(BA)/ShippedTable.swift: Tools/bench-arm/TableSwift.swift Tools/bench-arm/table.sh $(BA_HOST_SOURCES)
	@BENCH_ARM_DIR=$(BA) bash Tools/bench-arm/table.sh

$(BA_OBJ)/EarshotDSP.o: $(EMB_DSP_SOURCES)
	@mkdir -p $(BA_OBJ)
	swiftc -target aarch64-none-none-elf $(EMBEDDED_FLAGS) -module-name EarshotDSP $(EMB_DSP_SOURCES) \
	  -emit-module -emit-module-path $(BA_OBJ)/EarshotDSP.swiftmodule -c -o $@
	@touch $@  # swiftc keeps an unchanged object's old time stamp

$(BA_OBJ)/EarshotDetection.o: $(BA_OBJ)/EarshotDSP.o $(BA_DETECTION_SOURCES)
	swiftc -target aarch64-none-none-elf $(EMBEDDED_FLAGS) -I $(BA_OBJ) -module-name EarshotDetection \
	  $(BA_DETECTION_SOURCES) -c -o $@
	@touch $@

$(BA_OBJ)/bench: Tools/bench-arm/bench.c Tools/bench-arm/signal.h $(BA_OBJ)/EarshotDSP.o $(BA_OBJ)/EarshotDetection.o
	aarch64-linux-gnu-gcc -O2 -static-pie Tools/bench-arm/bench.c $(BA_OBJ)/EarshotDSP.o $(BA_OBJ)/EarshotDetection.o -o $@ -lm

$(BA_CMSIS)/.ready:
	@mkdir -p $(BA)/cmsis
	@test -x $(BA)/venv/bin/pip || python3 -m venv $(BA)/venv
	$(BA)/venv/bin/pip download -q --no-deps --no-binary cmsisdsp cmsisdsp==$(BENCH_ARM_CMSIS_VERSION) -d $(BA)/cmsis
	tar -xzf $(BA)/cmsis/cmsisdsp-$(BENCH_ARM_CMSIS_VERSION).tar.gz -C $(BA)/cmsis
	@touch $@

$(BA_OBJ)/cmsis: Tools/bench-arm/cmsis.c Tools/bench-arm/signal.h $(BA_CMSIS)/.ready
	@mkdir -p $(BA_OBJ)
	aarch64-linux-gnu-gcc $(BA_CMSIS_FLAGS) -I$(BA_CMSIS)/Include -I$(BA_CMSIS)/PrivateInclude \
	  Tools/bench-arm/cmsis.c $(addprefix $(BA_CMSIS)/,$(BA_CMSIS_SRC)) -static-pie -o $@

$(BA_OBJ)/cmsis-unroll: Tools/bench-arm/cmsis.c Tools/bench-arm/signal.h $(BA_CMSIS)/.ready
	@mkdir -p $(BA_OBJ)
	aarch64-linux-gnu-gcc $(BA_CMSIS_FLAGS) -DARM_MATH_LOOPUNROLL -I$(BA_CMSIS)/Include -I$(BA_CMSIS)/PrivateInclude \
	  Tools/bench-arm/cmsis.c $(addprefix $(BA_CMSIS)/,$(BA_CMSIS_SRC)) -static-pie -o $@

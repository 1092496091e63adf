# Earshot developer targets. README.md names the ones users need.
SHELL := /bin/bash
SWIFT ?= swift
EMBEDDED_FLAGS := -enable-experimental-feature Embedded -no-allocations -wmo -O -parse-as-library
DSP_SOURCES := $(shell find Sources/EarshotDSP -name '*.swift' | sort)
EMB := .build-embedded

.PHONY: deps build test embedded-check embedded demo clean

## deps: install the Debian packages (sudo when not root); idempotent
deps:
	@bash Tools/install-deps.sh

build: deps
	$(SWIFT) build

## test: everything CI runs (unit + integration tests, Embedded build and ARM comparison)
test: deps embedded-check
	$(SWIFT) test

## embedded-check: EarshotDSP compiles as Embedded Swift for aarch64 and armv7em
embedded-check:
	@mkdir -p $(EMB)
	@for t in aarch64-none-none-elf armv7em-none-none-eabi; do \
	  swiftc -target $$t $(EMBEDDED_FLAGS) -module-name EarshotDSP $(DSP_SOURCES) -c -o $(EMB)/EarshotDSP-$$t.o \
	    || { echo "embedded-check: EarshotDSP does not compile as Embedded Swift for $$t"; exit 1; }; \
	  echo "embedded-check: $$t ok ($$(stat -c %s $(EMB)/EarshotDSP-$$t.o) bytes)"; \
	done

clean:
	rm -rf .build $(EMB)

## demo: build and run earshot on a built-in synthetic signal
demo: deps
	$(SWIFT) build -c release --product earshot
	.build/release/earshot demo
-include mk/*.mk

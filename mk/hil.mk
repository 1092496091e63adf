# Hardware-in-the-loop VM (issue 7): earshot run on snd-aloop + gpio-sim under qemu.
.PHONY: hil hil-gpiod2

## hil: boots a qemu VM with real ALSA loopback and gpio-sim devices, runs the scenario; ends with hil_pass=… hil_fail=… hil_latency_p50_ms=… hil_latency_p99_ms=…
hil: deps
	SWIFT="$(SWIFT)" timeout 2400 bash Tools/hil/hil.sh

## hil-gpiod2: the same VM and scenario with earshot built against libgpiod 2 (Tools/libgpiod2.sh: Debian trixie's 2.x, static) instead of the system's v1
hil-gpiod2: deps
	HIL_GPIOD=2 SWIFT="$(SWIFT)" timeout 2400 bash Tools/hil/hil.sh

# Hardware-in-the-loop VM (issue 7): earshot run on snd-aloop + gpio-sim under qemu.
.PHONY: hil

## hil: boots a qemu VM with real ALSA loopback and gpio-sim devices, runs the scenario; ends with hil_pass=… hil_fail=… hil_latency_p50_ms=… hil_latency_p99_ms=…
hil: deps
	SWIFT="$(SWIFT)" timeout 2400 bash Tools/hil/hil.sh

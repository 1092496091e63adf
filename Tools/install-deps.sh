#!/usr/bin/env bash
# Installs the Debian packages Earshot needs to build, test and benchmark.
# Idempotent: does nothing when everything is present. Uses sudo when not root.
set -euo pipefail
PACKAGES=(
  pkg-config
  libasound2-dev libgpiod-dev libmosquitto-dev   # the C libraries Earshot links
  mosquitto mosquitto-clients                     # real broker + independent subscriber for tests
  alsa-utils gpiod openssl                        # device tools, TLS test certificates
  gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user   # ARM bit-exactness check
  libglib2.0-dev                                  # make bench-arm: QEMU's insn-counting plugin (tests/plugin/insn.c) uses glib
  python3-venv python3-dev                        # evaluation / CMSIS-DSP comparison venv
  qemu-system-x86 busybox-static bc make gcc kmod xz-utils   # make hil: VM, initramfs, out-of-tree gpio-sim
  chromium                                        # the operator page's browser test (headless)
  lintian                                         # make test-package checks the .deb
)
missing=()
for p in "${PACKAGES[@]}"; do
  [[ $p == \#* ]] && continue
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then echo "install-deps: all packages present"; exit 0; fi
SUDO=""; [[ $(id -u) -eq 0 ]] || SUDO="sudo"
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get -o DPkg::Lock::Timeout=600 update -q
$SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}"

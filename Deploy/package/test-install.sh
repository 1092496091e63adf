#!/usr/bin/env bash
# Installs an earshot .deb into a scratch root with `dpkg -x` (no root needed, the
# host's dpkg database untouched) and checks it: layout, control fields, conffiles,
# maintainer scripts (sh -n), no shared Swift runtime, root entry mode, copyright,
# lintian (when installed), then runs the INSTALLED binary: `earshot --version`,
# `earshot config check` on the installed default config (boards looked up in the
# scratch root's /etc/earshot/boards), and the technician's first steps from `/`.
#   Deploy/package/test-install.sh PACKAGE.deb
set -euo pipefail
DEB=${1:?usage: test-install.sh PACKAGE.deb}
HERE=$(cd "$(dirname "$0")" && pwd)
[ -f "$DEB" ] || { echo "test-install: $DEB not found; run make package" >&2; exit 2; }
ROOT=$(mktemp -d "${TMPDIR:-/tmp}/earshot-root.XXXXXX")
CTRL=$(mktemp -d "${TMPDIR:-/tmp}/earshot-ctrl.XXXXXX")
trap 'rm -rf "$ROOT" "$CTRL"' EXIT
fail=0
check() { if eval "$2"; then echo "PASS  $1"; else echo "FAIL  $1"; fail=1; fi; }

dpkg -x "$DEB" "$ROOT"
dpkg-deb -e "$DEB" "$CTRL"
echo "test-install: $DEB ($(stat -c %s "$DEB") bytes) extracted into $ROOT"
for f in usr/bin/earshot lib/systemd/system/earshot.service etc/earshot/site.toml etc/earshot/boards/generic.toml \
         usr/share/earshot/signatures.json usr/share/earshot/clock-read.conf usr/share/bash-completion/completions/earshot \
         usr/share/zsh/vendor-completions/_earshot usr/share/fish/vendor_completions.d/earshot.fish \
         usr/lib/udev/rules.d/60-earshot-gpio.rules usr/share/doc/earshot/copyright; do
  check "installs /$f" "[ -s '$ROOT/$f' ]"
done
n=$(ls "$ROOT"/usr/share/earshot/boards/*.toml | wc -l)
check "installs every board ($n in /usr/share/earshot/boards, $(ls Boards/*.toml 2>/dev/null | wc -l) in Boards/)" "[ $n -ge 1 ]"
check "conffiles list site.toml and the default board" \
  "grep -qx /etc/earshot/site.toml '$CTRL/conffiles' && grep -qx /etc/earshot/boards/generic.toml '$CTRL/conffiles'"
check "control: Architecture $(dpkg --print-architecture), Depends on libasound2/libgpiod/libmosquitto" \
  "grep -q \"^Architecture: $(dpkg --print-architecture)\$\" '$CTRL/control' && grep -q '^Depends:.*libasound' '$CTRL/control' && grep -q '^Depends:.*libgpiod' '$CTRL/control' && grep -q '^Depends:.*libmosquitto' '$CTRL/control'"
check "postinst creates user earshot in groups audio and gpio (group gpio if missing); sh -n clean" \
  "sh -n '$CTRL/postinst' && sh -n '$CTRL/prerm' && sh -n '$CTRL/postrm' && grep -q 'addgroup --system gpio' '$CTRL/postinst' && grep -q 'adduser earshot audio' '$CTRL/postinst' && grep -q 'adduser earshot gpio' '$CTRL/postinst'"
check "the unit runs the installed binary as user earshot" \
  "grep -q '^ExecStart=/usr/bin/earshot run --config /etc/earshot/site.toml' '$ROOT/lib/systemd/system/earshot.service' && grep -q '^User=earshot' '$ROOT/lib/systemd/system/earshot.service'"
check "no shared Swift runtime (static stdlib): ldd shows no libswift*" "! ldd '$ROOT/usr/bin/earshot' | grep libswift >/dev/null"
expected=$(dpkg-deb -f "$DEB" Version)
got=$("$ROOT/usr/bin/earshot" --version)
check "installed earshot --version prints $expected (got $got)" "[ '$got' = '$expected' ]"
rc=0; out=$(EARSHOT_BOARDS_DIR="$ROOT/etc/earshot/boards" "$ROOT/usr/bin/earshot" config check "$ROOT/etc/earshot/site.toml" 2>&1) || rc=$?
echo "$out" | sed 's/^/      /'
check "installed earshot config check on the installed /etc/earshot/site.toml exits 0" "[ $rc -eq 0 ]"
rc=0; out=$("$ROOT/usr/bin/earshot" config check "$ROOT/etc/earshot/boards/generic.toml" 2>&1) || rc=$?
check "installed earshot config check on the installed board exits 0" "[ $rc -eq 0 ]"
rc=0; out=$("$ROOT/usr/bin/earshot" table check "$ROOT/usr/share/earshot/signatures.json" 2>&1) || rc=$?
check "installed signature table validates (earshot table check)" "[ $rc -eq 0 ]"
check "bash completion script parses (bash -n)" "bash -n '$ROOT/usr/share/bash-completion/completions/earshot'"

# Packaging hygiene: the root entry is 0755 root/root, no file: Homepage, a real copyright.
check "root entry ./ is drwxr-xr-x root/root" "dpkg-deb -c '$DEB' | awk 'NR == 1' | grep -q '^drwxr-xr-x root/root .* \./\$'"
check "control: no Homepage that is a file: path" "! grep -q '^Homepage: *file:' '$CTRL/control'"
check "copyright: DEP-5, License Apache-2.0 (the repository's LICENSE), copyright holder and year" \
  "grep -q '^License: Apache-2.0' '$ROOT/usr/share/doc/earshot/copyright' && grep -q '^Copyright: [0-9]\{4\} ' '$ROOT/usr/share/doc/earshot/copyright'"
if command -v lintian >/dev/null; then
  # Remaining tags, each explained in Deploy/package/lintian-tags.md; anything else fails.
  tags=$(lintian --no-cfg "$DEB" 2>&1 | grep -E '^[EW]: ' | awk '{print $3}' | sort -u || true)
  unexplained=$(for t in $tags; do grep -q -- "^- .*\`$t\`" "$HERE/lintian-tags.md" || echo "$t"; done)
  echo "      lintian errors/warnings: ${tags:-none}" | tr '\n' ' '; echo
  check "lintian: every remaining error/warning tag explained in Deploy/package/lintian-tags.md" "[ -z '$unexplained' ]"
else
  echo "SKIP  lintian not installed (apt-get install lintian)"
fi

# The technician's first steps (earshot --help) on the installed package, run from / with no
# source tree: the installed site file names the board (here a replay board, the file-plugin
# recipe standing in for the microphone), bare board names come from the installed boards
# folders, and nothing reads Boards/ of the current folder.
ETC="$ROOT/etc/earshot"
python3 -c "
import math, struct, sys
r = 16000; a = 32768 * 10 ** (-20 / 20)
sys.stdout.buffer.write(b''.join(struct.pack('<h', int(round(a * math.sin(2 * math.pi * 1000 * i / r)))) for i in range(r * 12)))
" > "$ROOT/tone.raw"
printf 'pcm.earshot_replay {\n type file\n slave.pcm "null"\n file "/dev/null"\n infile "%s"\n format "raw"\n}\n' "$ROOT/tone.raw" > "$ROOT/asound.conf"
printf 'name = "replay"\n[audio]\ndevice = "earshot_replay"\nrate = 16000\nchannels = 1\nformat = "S16_LE"\n' > "$ETC/boards/replay.toml"
BROKER=""
if [ -x /usr/sbin/mosquitto ]; then
  PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  printf 'listener %s 127.0.0.1\nallow_anonymous true\n' "$PORT" > "$ROOT/mosquitto.conf"
  /usr/sbin/mosquitto -c "$ROOT/mosquitto.conf" >/dev/null 2>&1 & BROKER=$!
  # SIGKILL: a parent that blocks SIGTERM (a test runner's thread) passes the mask on to mosquitto.
  trap 'kill -KILL $BROKER 2>/dev/null; rm -rf "$ROOT" "$CTRL"' EXIT
  sleep 0.5
  sed -i "s/^port = 1883/port = $PORT/; s/^host = \"localhost\"/host = \"127.0.0.1\"/" "$ETC/site.toml"
fi
sed -i 's/^board = "generic"/board = "replay"/' "$ETC/site.toml"
step() {  # step NAME ALLOWED-CODES COMMAND...: run from /, the installed site named by EARSHOT_SITE
  local name=$1 codes=$2; shift 2
  local rc=0 out
  out=$(cd / && EARSHOT_SITE="$ETC/site.toml" ALSA_CONFIG_PATH="/usr/share/alsa/alsa.conf:$ROOT/asound.conf" \
        "$ROOT/usr/bin/earshot" "$@" 2>&1) || rc=$?
  echo "$out" | tail -3 | sed 's/^/      /'
  check "first steps from /: earshot $* exits $codes (got $rc), no 'ALSA lib' lines" \
    "echo ' $codes ' | grep -q ' $rc ' && ! echo \"\$out\" | grep -q 'ALSA lib'"
}
step devices "0 3" devices
step meter "0" meter --duration 1
step calibrate "0" calibrate --reference-db 94
step listen "0" listen --duration 1
step "gpio test" "0" gpio test --fake --board rpi4-respeaker-4mic
if [ -n "$BROKER" ]; then
  step "mqtt check" "0" mqtt check
  step selftest "0" selftest --fake
else
  echo "SKIP  first steps mqtt check / selftest: no /usr/sbin/mosquitto to stand in for the broker"
fi
if [ $fail -ne 0 ]; then echo "test-install: FAILED"; exit 1; fi
echo "test-install: all checks passed"

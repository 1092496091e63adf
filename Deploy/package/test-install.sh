#!/usr/bin/env bash
# Installs an earshot .deb into a scratch root with `dpkg -x` (no root needed, the
# host's dpkg database untouched) and checks it: layout, control fields, conffiles,
# maintainer scripts (sh -n), no shared Swift runtime, then runs the INSTALLED
# binary: `earshot --version` and `earshot config check` on the installed default
# config (boards looked up in the scratch root's /etc/earshot/boards).
#   Deploy/package/test-install.sh PACKAGE.deb
set -euo pipefail
DEB=${1:?usage: test-install.sh PACKAGE.deb}
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
         usr/share/earshot/signatures.json usr/share/bash-completion/completions/earshot \
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
check "no shared Swift runtime (static stdlib): ldd shows no libswift*" "! ldd '$ROOT/usr/bin/earshot' | grep -q libswift"
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
if [ $fail -ne 0 ]; then echo "test-install: FAILED"; exit 1; fi
echo "test-install: all checks passed"

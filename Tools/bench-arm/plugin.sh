#!/usr/bin/env bash
# make bench-arm: builds QEMU's instruction-counting TCG plugin
# (tests/plugin/insn.c, unmodified) and Earshot's instruction-mix plugin
# (Tools/bench-arm/insn_mix.c) against include/qemu/qemu-plugin.h of the
# source of the INSTALLED qemu-user version (Debian source package, fetched
# with apt-get source from a private deb-src list; the system's apt
# configuration is not touched). Cached by version: a later run with the same
# qemu-user prints the cached directory at once. Prints the directory holding
# libinsn.so and libinsn_mix.so on stdout.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${BENCH_ARM_DIR:-.build-bench-arm}
qemu=${QEMU_AARCH64:-qemu-aarch64}
ver=$(dpkg-query -W -f='${Version}' qemu-user 2>/dev/null) || { echo "bench-arm: qemu-user is not installed (make deps)" >&2; exit 1; }
"$qemu" -h | grep -q -- '^-plugin' || { echo "bench-arm: $qemu ($ver) was built without TCG plugin support" >&2; exit 1; }
src=${ver%+b[0-9]*}                       # a binNMU (+bN) is built from the same source version
key=$(tr ':+~' '___' <<<"$ver")
dir=$out/qemu-plugin/$key
mix=Tools/bench-arm/insn_mix.c
if [[ -f $dir/libinsn.so && -f $dir/libinsn_mix.so && $dir/libinsn_mix.so -nt $mix ]]; then echo "$dir"; exit 0; fi
mkdir -p "$dir/apt/lists/partial" "$dir/apt/cache/archives/partial" "$dir/src"
cat > "$dir/apt/sources.list" <<LIST
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm-updates main
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian-security bookworm-security main
LIST
apt=(-o "Dir::Etc::sourcelist=$PWD/$dir/apt/sources.list" -o Dir::Etc::sourceparts=/dev/null
     -o "Dir::State::Lists=$PWD/$dir/apt/lists" -o "Dir::Cache=$PWD/$dir/apt/cache" -o Debug::NoLocking=1 -q)
if ! ls "$dir"/src/qemu_*.orig.tar.* >/dev/null 2>&1; then
  echo "bench-arm: fetching the source of qemu $src (installed qemu-user $ver)" >&2
  apt-get "${apt[@]}" update >&2
  (cd "$dir/src" && apt-get "${apt[@]}" source --download-only "qemu=$src" >&2) \
    || { echo "bench-arm: the archive no longer has qemu source $src; update qemu-user (apt-get install qemu-user) and rerun" >&2; exit 1; }
fi
orig=$(ls "$dir"/src/qemu_*.orig.tar.* | head -1)
deb=$(ls "$dir"/src/qemu_*.debian.tar.* | head -1)
# Debian's patches must leave the plugin API and insn.c alone (else they would
# have to be applied): checked, not assumed.
if tar -xOf "$deb" --wildcards 'debian/patches/*' 2>/dev/null | grep -qE '^\+\+\+ .*(include/qemu/qemu-plugin\.h|tests/plugin/insn\.c)'; then
  echo "bench-arm: a Debian patch of qemu $src changes the plugin API; apply debian/patches before building" >&2; exit 1
fi
tar -xf "$orig" -C "$dir/src" --wildcards '*/include/qemu/qemu-plugin.h' '*/tests/plugin/insn.c'
top=$(ls -d "$dir"/src/qemu-*/ | head -1)
glib=$(pkg-config --cflags --libs glib-2.0)
# shellcheck disable=SC2086
gcc -O2 -shared -fPIC -Wall -I"$top/include/qemu" "$top/tests/plugin/insn.c" -o "$dir/libinsn.so" $glib
gcc -O2 -shared -fPIC -Wall -I"$top/include/qemu" "$mix" -o "$dir/libinsn_mix.so"
echo "$dir"

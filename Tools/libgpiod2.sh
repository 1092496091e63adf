#!/usr/bin/env bash
# Builds libgpiod 2 (the API of Debian trixie / current Raspberry Pi OS) from Debian's
# source package into a prefix outside git, for building Earshot against the v2 API on a
# machine whose system libgpiod is v1 (Debian bookworm ships 1.6.3).
#
#   bash Tools/libgpiod2.sh            # → .deps/libgpiod2 (prints the prefix on its last line)
#   PKG_CONFIG_PATH=$PWD/.deps/libgpiod2/lib/pkgconfig swift build --scratch-path .build-gpiod2
#
# Reproducible: the Debian source version is pinned (LIBGPIOD2_VERSION), fetched with
# apt-get source from trixie through a private apt configuration (nothing is added to the
# system's sources), and the upstream and Debian tarballs are checked against pinned SHA-256 sums (the
# ones in trixie's signed Sources index). Cached: a complete prefix whose stamp names the same
# version is reused without any download. The library is built static only (-fPIC), so a
# binary linked against it needs no libgpiod.so.3 at run time (the HIL VM, `make package`).
# Environment: LIBGPIOD2_PREFIX (default .deps/libgpiod2), LIBGPIOD2_VERSION, LIBGPIOD2_ORIG_SHA256,
# LIBGPIOD2_DEBIAN_SHA256.
set -euo pipefail
cd "$(dirname "$0")/.."
V=${LIBGPIOD2_VERSION:-2.2.1-2+deb13u1}
ORIG_SHA256=${LIBGPIOD2_ORIG_SHA256:-0e948049c309b87c220fb24ee0d605d7cd5b72f22376e608470903fffa2d4b18}
DEB_SHA256=${LIBGPIOD2_DEBIAN_SHA256:-2dcddffaac72a6d7ea77a8c6f13fc901e798f1fb277c9b2cb8c08c1f56f9498c}
P=$(realpath -m "${LIBGPIOD2_PREFIX:-.deps/libgpiod2}")
B=$P.build                       # apt state, downloaded sources, build tree
UP=${V%%-*}                      # upstream version, 2.2.1
say() { echo "libgpiod2: $*" >&2; }
if [[ -f $P/.done && "$(cat "$P/.done")" == "$V" && -f $P/lib/pkgconfig/libgpiod.pc ]]; then
  say "cached $P (libgpiod $V)"; echo "$P"; exit 0
fi
[[ $UP == 2.* ]] || { say "LIBGPIOD2_VERSION=$V is not a 2.x version"; exit 1; }
for t in apt-get patch gcc make pkg-config sha256sum; do
  command -v $t >/dev/null || { say "$t not found (apt-get install build-essential pkg-config)"; exit 1; }
done
say "building libgpiod $V into $P"
rm -rf "$B" "$P"; mkdir -p "$B/apt/lists/partial" "$B/apt/cache/archives/partial" "$B/src"
echo 'deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main' > "$B/apt/sources.list"
APT=(-o Dir::Etc::SourceList="$B/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
     -o Dir::State::Lists="$B/apt/lists" -o Dir::Cache="$B/apt/cache" -o Debug::NoLocking=1)
apt-get "${APT[@]}" update >&2
# --download-only fetches the .dsc, the upstream tarball and Debian's tarball; the mirror
# here may lack the .dsc (404), so apt's exit status is not the test: the two tarballs,
# checked against pinned SHA-256 sums, are. Debian's patches are applied as dpkg-source would.
( cd "$B/src" && apt-get "${APT[@]}" source --download-only "libgpiod=$V" >&2 ) || true
cd "$B/src"
ORIG=libgpiod_$UP.orig.tar.xz DEB=libgpiod_$V.debian.tar.xz
if [[ ! -f $ORIG || ! -f $DEB ]]; then
  say "could not download libgpiod source $V from trixie; trixie has: $(apt-cache "${APT[@]}" showsrc libgpiod | sed -n 's/^Version: //p' | tr '\n' ' ')"
  say "set LIBGPIOD2_VERSION, LIBGPIOD2_ORIG_SHA256 and LIBGPIOD2_DEBIAN_SHA256 (apt-cache showsrc lists the sums)"
  exit 1
fi
printf '%s  %s\n%s  %s\n' "$ORIG_SHA256" "$ORIG" "$DEB_SHA256" "$DEB" | sha256sum -c - >&2 \
  || { say "downloaded sources do not match the pinned SHA-256 sums"; exit 1; }
mkdir libgpiod; tar -xJf "$ORIG" -C libgpiod --strip-components=1; tar -xJf "$DEB" -C libgpiod
cd libgpiod
grep -v '^#' debian/patches/series 2>/dev/null | while read -r p; do [[ -n $p ]] && patch -s -p1 < "debian/patches/$p"; done
./configure --prefix="$P" --enable-static --disable-shared --with-pic \
  --disable-tools --disable-tests --disable-bindings-cxx --disable-bindings-python --disable-examples >&2
make -s -j"$(nproc)" >&2
make -s install >&2
PKG_CONFIG_PATH=$P/lib/pkgconfig pkg-config --exists --print-errors "libgpiod = $UP"
echo "$V" > "$P/.done"
say "libgpiod $(PKG_CONFIG_PATH=$P/lib/pkgconfig pkg-config --modversion libgpiod) in $P ($(stat -c %s "$P/lib/libgpiod.a") bytes libgpiod.a)"
echo "$P"

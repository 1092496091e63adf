#!/usr/bin/env bash
# Cross-builds earshot for arm64 (default) or armhf with an installed Swift SDK
# and packages it with Deploy/package/build-deb.sh. See Deploy/CROSS.md: the SDK
# cannot be downloaded on the project's build machine, so there this script
# only says so.
#   Deploy/cross/build-arm64.sh [arm64|armhf]
# Environment: SWIFT_SDK (SDK id), SYSROOT (its sysroot, with the -dev packages
# added), VERSION (default: the host build's --version).
set -euo pipefail
ARCH=${1:-arm64}
case "$ARCH" in
  arm64) TRIPLE=aarch64-linux-gnu; SDK_DEFAULT=6.3.1-RELEASE_debian_bookworm_aarch64 ;;
  armhf) TRIPLE=arm-linux-gnueabihf; SDK_DEFAULT=6.3.1-RELEASE_debian_bookworm_armv7 ;;
  *) echo "build-arm64.sh: architecture $ARCH: use arm64 or armhf" >&2; exit 2 ;;
esac
SWIFT=${SWIFT:-swift}
SDK=${SWIFT_SDK:-$SDK_DEFAULT}
cd "$(dirname "$0")/../.."
if ! $SWIFT sdk list 2>/dev/null | grep -qx "$SDK"; then
  echo "build-arm64.sh: Swift SDK $SDK is not installed (swift sdk list):" >&2
  $SWIFT sdk list >&2 || true
  echo "Make and install it as Deploy/CROSS.md step 1 says (needs internet access to swift.org;" >&2
  echo "not possible on the project's build machine)." >&2
  exit 3
fi
SYSROOT=${SYSROOT:-$(find ~/.swiftpm/swift-sdks -maxdepth 5 -type d -name '*sysroot*' 2>/dev/null | grep -i "${TRIPLE%%-*}" | head -1)}
[ -d "$SYSROOT" ] || { echo "build-arm64.sh: sysroot of $SDK not found; set SYSROOT" >&2; exit 3; }
for h in alsa/asoundlib.h gpiod.h mosquitto.h; do
  [ -f "$SYSROOT/usr/include/$h" ] || { echo "build-arm64.sh: $SYSROOT lacks $h: add the :$ARCH -dev packages (Deploy/CROSS.md step 1)" >&2; exit 3; }
done
OUT=.build-cross-$ARCH
export PKG_CONFIG_SYSROOT_DIR=$SYSROOT
export PKG_CONFIG_LIBDIR=$SYSROOT/usr/lib/$TRIPLE/pkgconfig:$SYSROOT/usr/share/pkgconfig
$SWIFT build -c release --product earshot --static-swift-stdlib --swift-sdk "$SDK" --scratch-path "$OUT"
BIN=$($SWIFT build -c release --swift-sdk "$SDK" --scratch-path "$OUT" --show-bin-path)/earshot
$SWIFT build --product earshot --scratch-path .build-cross-host
HOSTBIN=$($SWIFT build --scratch-path .build-cross-host --show-bin-path)/earshot
VERSION=${VERSION:-$("$HOSTBIN" --version)} HOSTBIN=$HOSTBIN \
DEPENDS=${DEPENDS:-"libc6 (>= 2.36), libasound2 (>= 1.2.8), libgpiod2 (>= 1.6.3), libmosquitto1 (>= 2.0.11), libstdc++6"} \
  bash Deploy/package/build-deb.sh "$BIN" "$OUT" "$ARCH"

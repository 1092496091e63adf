#!/usr/bin/env bash
# Builds earshot_<version>_<arch>.deb from an already built release binary.
#   Deploy/package/build-deb.sh BINARY OUTDIR [ARCH]
# ARCH defaults to `dpkg --print-architecture` (the host); pass arm64/armhf with a
# cross-built BINARY (Deploy/CROSS.md): then Depends is taken from DEPENDS if set.
# Layout:
#   /usr/bin/earshot                         binary (Swift stdlib linked statically)
#   /lib/systemd/system/earshot.service      Deploy/earshot.service
#   /etc/earshot/site.toml                   Deploy/site.toml           (conffile)
#   /etc/earshot/boards/generic.toml         Boards/generic.toml        (conffile; the default site's board)
#   /usr/share/earshot/boards/*.toml         every board file
#   /usr/share/earshot/signatures.json       the built-in signature table (earshot table show)
#   /usr/share/earshot/clock-read.conf       optional unit drop-in for chrony/ntpd/PTP boxes (not active)
#   /usr/share/bash-completion, zsh, fish    completion scripts (earshot completions)
#   /usr/lib/udev/rules.d/60-earshot-gpio.rules   /dev/gpiochip* → group gpio, 0660
#   /usr/share/doc/earshot/                  README.md, Deploy/README.md, copyright (Apache-2.0, as LICENSE)
# No Homepage field: the project has no public home page yet (a file: path is not one).
# postinst: system group gpio (if missing), system user earshot in groups audio and gpio.
set -euo pipefail
BIN=${1:?usage: build-deb.sh BINARY OUTDIR [ARCH]}
OUT=${2:?usage: build-deb.sh BINARY OUTDIR [ARCH]}
ARCH=${3:-$(dpkg --print-architecture)}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
[ -x "$BIN" ] || { echo "build-deb.sh: $BIN is not an executable; run make package (it builds it)" >&2; exit 2; }
HOST_ARCH=$(dpkg --print-architecture)
if [ "$ARCH" = "$HOST_ARCH" ]; then
  VERSION=$("$BIN" --version)
else
  VERSION=${VERSION:?set VERSION=... when packaging a cross-built binary (it cannot run here)}
fi
mkdir -p "$OUT"
STAGE=$(mktemp -d "${TMPDIR:-/tmp}/earshot-deb.XXXXXX")
trap 'rm -rf "$STAGE"' EXIT
chmod 0755 "$STAGE"   # the package's root entry "./" (mktemp makes it 0700: lintian's bad-permissions-for-root)
umask 022

install -D -m 0755 "$BIN" "$STAGE/usr/bin/earshot"
strip --strip-unneeded "$STAGE/usr/bin/earshot" 2>/dev/null || true
install -D -m 0644 "$ROOT/Deploy/earshot.service" "$STAGE/lib/systemd/system/earshot.service"
install -D -m 0640 "$ROOT/Deploy/site.toml" "$STAGE/etc/earshot/site.toml"
install -D -m 0644 "$ROOT/Boards/generic.toml" "$STAGE/etc/earshot/boards/generic.toml"
for b in "$ROOT"/Boards/*.toml; do install -D -m 0644 "$b" "$STAGE/usr/share/earshot/boards/$(basename "$b")"; done
install -d "$STAGE/usr/share/bash-completion/completions" "$STAGE/usr/share/zsh/vendor-completions" \
           "$STAGE/usr/share/fish/vendor_completions.d"
if [ "$ARCH" = "$HOST_ARCH" ]; then
  "$BIN" table show > "$STAGE/usr/share/earshot/signatures.json"
  "$BIN" completions --shell bash | sed '1{/^#!/d}' > "$STAGE/usr/share/bash-completion/completions/earshot"
  "$BIN" completions --shell zsh > "$STAGE/usr/share/zsh/vendor-completions/_earshot"
  "$BIN" completions --shell fish > "$STAGE/usr/share/fish/vendor_completions.d/earshot.fish"
else
  # A foreign binary cannot run here: take the table and completions from a host build.
  HOSTBIN=${HOSTBIN:?set HOSTBIN=path/to/host/earshot to generate completions and the table for a foreign package}
  "$HOSTBIN" table show > "$STAGE/usr/share/earshot/signatures.json"
  "$HOSTBIN" completions --shell bash | sed '1{/^#!/d}' > "$STAGE/usr/share/bash-completion/completions/earshot"
  "$HOSTBIN" completions --shell zsh > "$STAGE/usr/share/zsh/vendor-completions/_earshot"
  "$HOSTBIN" completions --shell fish > "$STAGE/usr/share/fish/vendor_completions.d/earshot.fish"
fi
install -D -m 0644 "$ROOT/Deploy/clock-read.conf" "$STAGE/usr/share/earshot/clock-read.conf"
install -D -m 0644 "$HERE/60-earshot-gpio.rules" "$STAGE/usr/lib/udev/rules.d/60-earshot-gpio.rules"
install -D -m 0644 "$ROOT/README.md" "$STAGE/usr/share/doc/earshot/README.md"
install -D -m 0644 "$ROOT/Deploy/README.md" "$STAGE/usr/share/doc/earshot/Deploy.md"
install -D -m 0644 "$HERE/copyright" "$STAGE/usr/share/doc/earshot/copyright"
# A native package's changelog (Debian policy 12.7), one entry for the version packaged.
printf 'earshot (%s) unstable; urgency=medium\n\n  * Release %s (see README.md for what it does).\n\n -- Earshot maintainers <earshot@localhost>  %s\n' \
  "$VERSION" "$VERSION" "$(date -R -d "@${SOURCE_DATE_EPOCH:-$(git -C "$ROOT" log -1 --format=%ct 2>/dev/null || date +%s)}")" \
  | gzip -9n > "$STAGE/usr/share/doc/earshot/changelog.gz"
chmod 0644 "$STAGE/usr/share/doc/earshot/changelog.gz"

# Depends: the Debian packages owning the shared libraries the binary links (host builds).
if [ -z "${DEPENDS:-}" ]; then
  deps=()
  while read -r lib; do
    pkg=""
    real=$(realpath "$lib")
    # usrmerge: dpkg may list the file under /lib or /usr/lib, by its link name or its real name.
    for cand in "$lib" "$real" "${lib#/usr}" "/usr$lib" "${real#/usr}" "/usr$real"; do
      pkg=$(dpkg -S "$cand" 2>/dev/null | head -1 | cut -d: -f1) && [ -n "$pkg" ] && break
    done
    [ -n "$pkg" ] || { echo "build-deb.sh: warning: no Debian package owns $lib (not in Depends)" >&2; continue; }
    ver=$(dpkg-query -W -f='${Version}' "$pkg" | sed 's/-[^-]*$//; s/^[0-9]*://')
    deps+=("$pkg (>= $ver)")
  done < <(ldd "$BIN" | awk '/=> \//{print $3}' | sort -u)
  DEPENDS=$(printf '%s\n' "${deps[@]}" | sort -u | paste -sd, | sed 's/,/, /g')
fi

mkdir -p "$STAGE/DEBIAN"
SIZE_KB=$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)
cat > "$STAGE/DEBIAN/control" <<CONTROL
Package: earshot
Version: $VERSION
Architecture: $ARCH
Maintainer: Earshot maintainers <earshot@localhost>
Installed-Size: $SIZE_KB
Depends: $DEPENDS, adduser, systemd
Section: sound
Priority: optional
Description: acoustic event detector for street sensor boxes
 Listens through ALSA, runs fixed-point DSP, recognises abnormal sounds
 (gunshot, breaking glass, horn, siren, ...) from a signature table, can
 steer a PTZ camera preset through GPIO lines and reports over MQTT.
 No raw audio is stored or sent. Edit /etc/earshot/site.toml, then
 systemctl enable --now earshot.
CONTROL
printf '/etc/earshot/site.toml\n/etc/earshot/boards/generic.toml\n' > "$STAGE/DEBIAN/conffiles"
install -m 0755 "$HERE/postinst" "$STAGE/DEBIAN/postinst"
install -m 0755 "$HERE/prerm" "$STAGE/DEBIAN/prerm"
install -m 0755 "$HERE/postrm" "$STAGE/DEBIAN/postrm"

DEB="$OUT/earshot_${VERSION}_${ARCH}.deb"
dpkg-deb --root-owner-group -Zxz --build "$STAGE" "$DEB" >/dev/null
echo "package: $DEB ($(stat -c %s "$DEB") bytes, installed size ${SIZE_KB} KiB)"
echo "package: Depends: $DEPENDS, adduser, systemd"

#!/usr/bin/env bash
# usage: mkinitramfs.sh KERNEL_DIR STAGE_DIR OUT.cpio.gz
# The HIL VM's root file system: busybox, the kernel modules it loads (configfs,
# snd-aloop, 9p over virtio, irq_sim + gpio-sim), earshot and hiltool from
# STAGE_DIR, mosquitto + clients, the libgpiod and alsa-utils tools, every shared
# library they need (ldd), ALSA's configuration, the board/site/table files and
# the scenario (Tools/hil/init, scenario.sh) with its audio (STAGE_DIR/*.wav, events.txt),
# the libgpiod version earshot must report (STAGE_DIR/gpiod-version),
# and for the systemd phase (clock.sh) systemd, systemd-timesyncd, Deploy/earshot.service
# and the units in Tools/hil/systemd/.
set -euo pipefail
KD=$1; ST=$2; OUT=$3
HERE=$(cd "$(dirname "$0")" && pwd)
K=$(basename "$KD"); K=${K#kernel-}
KM=$KD/kpkg/lib/modules/$K
R=$(mktemp -d "$(dirname "$OUT")/root.XXXX")
trap 'rm -rf "$R"' EXIT
mkdir -p "$R"/{bin,sbin,proc,sys,dev,tmp,mnt,etc/earshot,hil,lib/modules,usr/share,var/lib}
cp /bin/busybox "$R/bin/"
for a in $(/bin/busybox --list | grep -vx busybox); do ln -s busybox "$R/bin/$a"; done
: > "$R/modules.list"
for m in configfs snd-aloop 9pnet_virtio 9p virtio_pci; do
  modprobe -d "$KD/kpkg" -S "$K" --show-depends $m | awk '$1 == "insmod" { print $2 }'
done | awk '!seen[$0]++' | while read -r f; do
  b=$(basename "$f" .xz); b=${b%.ko}.ko
  case $f in *.xz) xz -dc "$f" > "$R/lib/modules/$b" ;; *) cp "$f" "$R/lib/modules/$b" ;; esac
  echo "$b" >> "$R/modules.list"
done
for b in irq_sim.ko gpio-sim.ko; do
  strip --strip-debug -o "$R/lib/modules/$b" "$KD/gpiosim-mod/$b"; echo "$b" >> "$R/modules.list"
done
BINS="$ST/earshot $ST/hiltool"
for t in mosquitto mosquitto_sub mosquitto_pub gpiodetect gpioinfo gpioget gpioset gpiomon aplay arecord; do
  p=$(command -v $t) || { echo "mkinitramfs: $t not found (make deps)" >&2; exit 1; }
  BINS="$BINS $p"
done
for b in $BINS; do cp "$b" "$R/bin/"; done
for l in $(ldd $BINS 2>/dev/null | grep -o '/[^ ]*\.so[^ ]*' | sort -u); do
  mkdir -p "$R$(dirname "$l")"; cp -L "$l" "$R$l"
done
# systemd phase (clock.sh): the host's systemd as PID 1, the shipped unit unchanged,
# systemd-timesyncd, stand-in targets (Tools/hil/systemd/README).
SD="/lib/systemd/systemd /lib/systemd/systemd-timesyncd $(command -v systemctl) $(command -v systemd-run)"
for b in $SD; do [[ -x $b ]] || { echo "mkinitramfs: $b not found (systemd)" >&2; exit 1; }; mkdir -p "$R$(dirname "$b")"; cp -L "$b" "$R$b"; done
for l in $(ldd $SD 2>/dev/null | grep -o '/[^ ]*\.so[^ ]*' | sort -u); do
  mkdir -p "$R$(dirname "$l")"; cp -L "$l" "$R$l"
done
mkdir -p "$R/lib/systemd/system" "$R/etc/systemd/system/earshot.service.d" "$R/usr/bin" "$R/var/tmp"
cp "$HERE"/systemd/*.target "$HERE/systemd/hil-clock.service" /lib/systemd/system/systemd-timesyncd.service "$R/lib/systemd/system/"
cp "$HERE/../../Deploy/earshot.service" "$R/lib/systemd/system/earshot.service"
cp "$HERE/../../Deploy/earshot.service" "$R/hil/earshot.service.shipped"
cp "$HERE/../../Deploy/clock-read.conf" "$R/hil/clock-read.conf"
cp "$HERE/systemd/earshot-log.conf" "$R/etc/systemd/system/earshot.service.d/hil-log.conf"
cp "$HERE/systemd/timesyncd.conf" "$R/etc/systemd/timesyncd.conf"
cp /etc/os-release "$R/etc/os-release"
printf 'passwd: files\ngroup: files\nshadow: files\n' > "$R/etc/nsswitch.conf"
ln -s /bin/earshot "$R/usr/bin/earshot"
mkdir -p "$R/lib64"; cp -L /lib64/ld-linux-x86-64.so.2 "$R/lib64/"
cp -r /usr/share/alsa "$R/usr/share/"
printf 'root:x:0:0:root:/root:/bin/sh\nmosquitto:x:100:101::/var/lib/mosquitto:/bin/false\nearshot:x:998:998::/var/lib/earshot:/bin/false\nsystemd-timesync:x:997:997::/:/bin/false\n' > "$R/etc/passwd"
printf 'root:x:0:\nmosquitto:x:101:\naudio:x:29:earshot\ngpio:x:996:earshot\nearshot:x:998:\nsystemd-timesync:x:997:\n' > "$R/etc/group"
cp "$HERE/site.toml" "$HERE/board.toml" "$ST/table.json" "$R/etc/earshot/"
cp "$HERE/scenario.sh" "$HERE/clock.sh" "$ST"/*.wav "$ST/events.txt" "$ST/gpiod-version" "$R/hil/"
cp "$HERE/init" "$R/init"; chmod +x "$R/init"
(cd "$R" && find . | /bin/busybox cpio -o -H newc 2>/dev/null) | gzip -1 > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
echo "hil/mkinitramfs: $OUT $(stat -c %s "$OUT") bytes, $(wc -l < "$R/modules.list") modules" >&2

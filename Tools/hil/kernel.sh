#!/usr/bin/env bash
# Kernel side of the HIL VM, cached under $HIL_CACHE (default .hil-cache):
# the Debian kernel that linux-image-amd64 depends on now (apt-get download),
# its modules tree (depmod'ed), and gpio-sim + irq_sim built out of tree against
# exactly that kernel (Debian does not enable gpio-sim). Prints the kernel
# release on its last line. Re-running with a complete cache takes < 1 s.
set -euo pipefail
C=$(realpath -m "${HIL_CACHE:-.hil-cache}")
K=${HIL_KERNEL:-$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/{sub("linux-image-","",$2); print $2; exit}')}
[[ -n $K ]] || { echo "hil/kernel: cannot tell which kernel linux-image-amd64 depends on (apt-get update?)" >&2; exit 1; }
KV=${K%-amd64}                     # 6.1.0-56
SV=$(echo "$K" | cut -d. -f1,2)    # 6.1
W=$C/kernel-$K
if [[ -f $W/.done ]]; then echo "hil/kernel: cached $W" >&2; echo "$K"; exit 0; fi
echo "hil/kernel: building $W (kernel $K)" >&2
rm -rf "$W"; mkdir -p "$W/debs"
( cd "$W/debs" && apt-get download "linux-image-$K" "linux-headers-$K" "linux-headers-$KV-common" "linux-kbuild-$SV" "linux-source-$SV" ) >&2
cd "$W"
dpkg -x debs/linux-image-"${K}"_*.deb kpkg
depmod -b "$W/kpkg" "$K"
cp "kpkg/boot/vmlinuz-$K" vmlinuz
for d in debs/linux-headers-"$KV"-* debs/linux-kbuild-"$SV"_*; do dpkg -x "$d" hdr; done
H=$W/hdr/usr/src/linux-headers-$K
sed -i "s#include /usr/src/linux-headers-$KV-common/Makefile#include $W/hdr/usr/src/linux-headers-$KV-common/Makefile#" "$H/Makefile"
mkdir -p src gpiosim-mod
dpkg-deb --fsys-tarfile debs/linux-source-"$SV"_*.deb | tar -xO "./usr/src/linux-source-$SV.tar.xz" \
  | tar -xJ -C src --wildcards "linux-source-$SV/drivers/gpio/gpio-sim.c" "linux-source-$SV/drivers/gpio/gpiolib*.h" \
      "linux-source-$SV/kernel/irq/irq_sim.c"
cp src/linux-source-"$SV"/drivers/gpio/gpio-sim.c src/linux-source-"$SV"/drivers/gpio/gpiolib*.h \
   src/linux-source-"$SV"/kernel/irq/irq_sim.c gpiosim-mod/
cd gpiosim-mod
# irq_sim is built in only when a user selects it: as a module it needs an exported
# irq entry point and a licence.
sed -i 's/handle_simple_irq(irq_to_desc(irqnum));/generic_handle_irq(irqnum);/' irq_sim.c
printf '\n#include <linux/module.h>\nMODULE_LICENSE("GPL");\n' >> irq_sim.c
echo 'obj-m := irq_sim.o gpio-sim.o' > Makefile
make -s -C "$H" M="$PWD" modules >&2
ls irq_sim.ko gpio-sim.ko >/dev/null
cd "$W"; rm -rf src debs/linux-source-*   # 140 MB we no longer need
touch "$W/.done"
echo "$K"

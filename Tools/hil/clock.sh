#!/bin/sh
# The HIL VM's systemd phase (issue 18, item 4), run by hil-clock.service once /init
# has switched root into systemd (PID 1): the shipped Deploy/earshot.service, unchanged
# but for earshot-log.conf (output to a file), must report the VM's clock-sync state.
#   fact     read-only adjtimex/clock_adjtime (modes = 0) from a tiny program: answered
#            outside any sandbox; refused in a unit with ProtectClock=yes, and in one with
#            only the shipped unit's SystemCallFilter lines (so dropping ProtectClock alone
#            would not help)
#   unsynced the VM's clock is not synchronised (adjtimex: maxerror 16 s), no flag file:
#            the agent under the unit says synchronised false, adjtimex=EPERM, source
#            timesyncd when its runtime directory exists (timesyncd runs but has no
#            server yet), none otherwise
#   synced   a real systemd-timesyncd synchronises against hiltool sntp-server on
#            127.0.0.1:123 and touches /run/systemd/timesync/synchronized; the
#            restarted agent says synchronised true, source timesyncd, in its status
#            and in the event of a sound played into snd-aloop
#   drop-in  with Deploy/clock-read.conf (ProtectClock=no, adjtimex let through) the agent
#            reads the kernel instead (source adjtimex), and a write still fails (EPERM)
# Results: /mnt/clock.out (PASS:/FAIL: lines, then clock_pass=N clock_fail=M), /mnt/clock.rc,
# logs in /mnt/hil-logs/clock/. Then T_DONE on the console and power off.
L=/tmp/hil-logs/clock; SUB=$L/sub.txt; TOPIC=earshot/v1/vm/hil
mkdir -p $L /run/systemd/system
PASS=0; FAIL=0
ok() { echo "PASS: $*"; PASS=$((PASS + 1)); }
bad() { echo "FAIL: $*"; FAIL=$((FAIL + 1)); }
expect() { _m=$1; shift; if "$@"; then ok "$_m"; else bad "$_m"; fi; }
wait_for() { _n=$(($1 * 10)); shift; while [ $_n -gt 0 ]; do "$@" && return 0; sleep 0.1; _n=$((_n - 1)); done; return 1; }
status_after() { awk -v t="$1" -v re="$2" '$2 ~ /\/status$/ && $1 >= t && $0 ~ re { n++ } END { exit n ? 0 : 1 }' $SUB; }
last_status_after() { awk -v t="$1" -v re="$2" '$2 ~ /\/status$/ && $1 >= t && $0 ~ re { s = $0 } END { print s }' $SUB; }
clock_of() { echo "$1" | sed -n 's/.*"clock":\({[^}]*}\).*/\1/p'; }
detail_clock() { echo "$1" | sed -n 's/.*\(clock=[^";]*\).*/\1/p'; }
vm_synced() { hiltool adjtimex | sed -n 's/.*synchronised=\([a-z]*\).*/\1/p'; }
active() { [ "$(systemctl show -P ActiveState "$1")" = "$2" ]; }
probe() { # probe NAME SETTING...: hiltool adjtimex in a oneshot unit with those [Service] settings → $L/adjtimex-NAME.txt
  # (a unit file, not systemd-run: systemd-run --wait needs D-Bus, which the VM does not run)
  _n=$1; shift
  { echo "[Service]"; echo "Type=oneshot"; echo "ExecStart=/bin/hiltool adjtimex"; echo "StandardOutput=file:$L/adjtimex-$_n.txt"
    for _s in "$@"; do echo "$_s"; done; } > /run/systemd/system/hil-probe-$_n.service
  systemctl daemon-reload; systemctl start hil-probe-$_n.service
}

main() {
echo "== clock (systemd phase: $(systemctl --version | head -1))"
expect "clock: systemd is PID 1 ($(cat /proc/1/comm))" [ "$(cat /proc/1/comm)" = systemd ]

# ---------------------------------------------------------------- fact
hiltool adjtimex > $L/adjtimex-plain.txt 2>&1
expect "clock: outside any sandbox, adjtimex(modes=0) answers: $(cat $L/adjtimex-plain.txt)" grep -q '^adjtimex_rc=[0-5] ' $L/adjtimex-plain.txt
probe protectclock ProtectClock=yes
expect "clock: under ProtectClock=yes, read-only adjtimex and clock_adjtime fail with EPERM: $(cat $L/adjtimex-protectclock.txt)" \
  grep -q 'adjtimex_rc=-1 adjtimex_errno=EPERM clock_adjtime_rc=-1 clock_adjtime_errno=EPERM' $L/adjtimex-protectclock.txt
probe filter User=earshot SystemCallFilter=@system-service SystemCallFilter=~@privileged SystemCallErrorNumber=EPERM
expect "clock: the unit's SystemCallFilter=@system-service ~@privileged alone (no ProtectClock) refuses them too: $(cat $L/adjtimex-filter.txt)" \
  grep -q 'adjtimex_rc=-1 adjtimex_errno=EPERM' $L/adjtimex-filter.txt

probe dropin User=earshot CapabilityBoundingSet= SystemCallFilter=@system-service SystemCallFilter=~@privileged \
  SystemCallFilter="adjtimex clock_adjtime clock_adjtime64" SystemCallErrorNumber=EPERM ExecStart= "ExecStart=/bin/hiltool adjtimex --try-set"
expect "clock: with Deploy/clock-read.conf's settings the read answers, a write still fails (no CAP_SYS_TIME): $(cat $L/adjtimex-dropin.txt)" \
  grep -q '^adjtimex_rc=[0-5] adjtimex_errno=0 clock_adjtime_rc=[0-5] clock_adjtime_errno=0 .* set_rc=-1 set_errno=EPERM' $L/adjtimex-dropin.txt

# ---------------------------------------------------------------- broker, unit
printf 'listener 1883 127.0.0.1\nallow_anonymous true\nuser root\npersistence false\n' > /tmp/mosquitto-clock.conf
mosquitto -c /tmp/mosquitto-clock.conf > $L/mosquitto.log 2>&1 &
expect "clock: mosquitto answers on 127.0.0.1:1883" wait_for 30 mosquitto_pub -h 127.0.0.1 -t hil/ping -m 1
mosquitto_sub -h 127.0.0.1 -V mqttv5 -t "$TOPIC/#" -F '%U %t %p' > $SUB 2> $L/sub.err &
# No udev in the VM: give the device nodes the groups Debian's udev rules (and the .deb's
# gpio rule) give them, so that User=earshot with SupplementaryGroups=audio gpio can open them.
chgrp audio /dev/snd/*; chmod 660 /dev/snd/*; chgrp gpio /dev/gpiochip*; chmod 660 /dev/gpiochip*
sed -i 's|^directory = "/tmp/earshot-outbox"|directory = "/var/lib/earshot/outbox"   # the unit has PrivateTmp=yes|' /etc/earshot/site.toml
expect "clock: the shipped unit is installed unchanged ($(systemctl show -P FragmentPath earshot), ProtectClock=$(systemctl show -P ProtectClock earshot))" \
  cmp -s /lib/systemd/system/earshot.service /hil/earshot.service.shipped
sleep 0.5

# ---------------------------------------------------------------- unsynced
echo "== clock: unsynchronised VM"
VM=$(vm_synced); hiltool adjtimex > $L/adjtimex-unsynced.txt
T=$(hiltool now)
systemctl start earshot > $L/start-unsynced.txt 2>&1
expect "clock unsynced: systemctl start earshot: active (Type=notify: READY=1 reached) $(cat $L/start-unsynced.txt)" active earshot active
wait_for 30 status_after $T '"state":"online".*clock='
S=$(last_status_after $T '"state":"online".*clock=')
echo "  VM: $(cat $L/adjtimex-unsynced.txt)"
echo "  agent: clock $(clock_of "$S"), detail $(detail_clock "$S")"
expect "clock unsynced: the VM's kernel says not synchronised (maxerror 16 s)" [ "$VM" = no ]
# No flag: source none, or timesyncd (not yet synchronised) when its runtime directory exists.
WANT=none; [ -d /run/systemd/timesync ] && WANT=timesyncd
echo "  /run/systemd/timesync: $(ls -ld /run/systemd/timesync 2>&1); systemd-timesyncd $(systemctl show -P ActiveState systemd-timesyncd) (wanted by: $(systemctl show -P WantedBy systemd-timesyncd))"
expect "clock unsynced: the agent's status says synchronised false, source $WANT" \
  eval 'echo "$S" | grep -q "\"clock\":{\"synchronised\":false,\"error_us\":null,\"source\":\"$WANT\"}"'
expect "clock unsynced: its detail says adjtimex was refused with EPERM under the unit" eval 'echo "$S" | grep -q "clock=$WANT unsynced adjtimex=EPERM"'

# ---------------------------------------------------------------- synced by timesyncd
echo "== clock: systemd-timesyncd synchronises"
hiltool sntp-server 123 > $L/sntp.txt 2>&1 &
SNTP=$!
systemctl start systemd-timesyncd > $L/start-timesyncd.txt 2>&1
expect "clock synced: systemd-timesyncd active $(cat $L/start-timesyncd.txt)" wait_for 30 active systemd-timesyncd active
wait_for 90 [ -f /run/systemd/timesync/synchronized ]
expect "clock synced: timesyncd touched /run/systemd/timesync/synchronized (hiltool sntp-server: $(tail -1 $L/sntp.txt))" \
  [ -f /run/systemd/timesync/synchronized ]
systemctl status systemd-timesyncd --no-pager > $L/timesyncd-status.txt 2>&1
VM=$(vm_synced); hiltool adjtimex > $L/adjtimex-synced.txt
echo "  VM: $(cat $L/adjtimex-synced.txt)"
expect "clock synced: the VM's kernel now says synchronised (maxerror < 16 s)" [ "$VM" = yes ]
T=$(hiltool now)
systemctl restart earshot > $L/restart.txt 2>&1
expect "clock synced: systemctl restart earshot: active $(cat $L/restart.txt)" active earshot active
wait_for 30 status_after $T '"state":"online".*clock='
S=$(last_status_after $T '"state":"online".*clock=')
echo "  agent: clock $(clock_of "$S"), detail $(detail_clock "$S")"
expect "clock synced: the agent's status says synchronised true, source timesyncd (as the VM)" \
  eval 'echo "$S" | grep -q "\"clock\":{\"synchronised\":true,\"error_us\":null,\"source\":\"timesyncd\"}"'
expect "clock synced: its detail says timesyncd, adjtimex still refused (EPERM)" eval 'echo "$S" | grep -q "clock=timesyncd synced adjtimex=EPERM synced_s_ago="'
sleep 1
T=$(hiltool now)
hiltool play hw:Loopback,0,0 /hil/one.wav > $L/play.txt 2>&1
wait_for 10 eval "awk -v t=$T '\$1 >= t && \$2 ~ /\\/event\$/ { f = 1 } END { exit !f }' $SUB"
E=$(awk -v t=$T '$1 >= t && $2 ~ /\/event$/ { print; exit }' $SUB)
echo "  event: $(echo "$E" | sed -n 's/.*"class":"\([^"]*\)".*/\1/p') clock $(clock_of "$E")"
expect "clock synced: the event of a sound played into snd-aloop says synchronised true, source timesyncd" \
  eval 'echo "$E" | grep -q "\"clock\":{\"synchronised\":true,\"error_us\":null,\"source\":\"timesyncd\"}"'

# ---------------------------------------------------------------- drop-in
echo "== clock: Deploy/clock-read.conf (for chrony/ntpd/PTP boxes) lets the agent read the kernel"
cp /hil/clock-read.conf /etc/systemd/system/earshot.service.d/clock-read.conf
systemctl daemon-reload
VM=$(vm_synced); hiltool adjtimex > $L/adjtimex-dropin-vm.txt
T=$(hiltool now)
systemctl restart earshot > $L/restart-dropin.txt 2>&1
expect "clock drop-in: systemctl restart earshot: active, ProtectClock=$(systemctl show -P ProtectClock earshot) $(cat $L/restart-dropin.txt)" active earshot active
wait_for 30 status_after $T '"state":"online".*clock='
S=$(last_status_after $T '"state":"online".*clock=')
echo "  VM: $(cat $L/adjtimex-dropin-vm.txt)"
echo "  agent: clock $(clock_of "$S"), detail $(detail_clock "$S")"
expect "clock drop-in: the agent's status says synchronised true from adjtimex (the VM: $VM)" \
  eval '[ "$VM" = yes ] && echo "$S" | grep -q "\"clock\":{\"synchronised\":true,\"error_us\":null,\"source\":\"adjtimex\"}"'
expect "clock drop-in: its detail has no refusal, and the kernel's maxerror" eval 'echo "$S" | grep -q "clock=adjtimex synced maxerror_us=[0-9]"'
rm /etc/systemd/system/earshot.service.d/clock-read.conf; systemctl daemon-reload

systemctl stop earshot systemd-timesyncd
kill $SNTP 2>/dev/null
expect "clock: earshot.service stopped cleanly ($(systemctl show -P Result earshot))" [ "$(systemctl show -P Result earshot)" = success ]
cp /run/hil-earshot.log $L/agent.log 2>/dev/null
echo "clock_pass=$PASS clock_fail=$FAIL"
[ $FAIL = 0 ]
}

{ main; echo $? > /tmp/clock.rc; } 2>&1 | tee /tmp/clock.out
RC=$(cat /tmp/clock.rc)
if grep -q ' /mnt 9p' /proc/mounts; then
  cp /tmp/clock.out /mnt/clock.out; mkdir -p /mnt/hil-logs; cp -r $L /mnt/hil-logs/; echo $RC > /mnt/clock.rc
fi
echo "T_DONE rc=$RC uptime=$(cut -d' ' -f1 /proc/uptime)" > /dev/console
sync; umount /mnt 2>/dev/null; poweroff -f

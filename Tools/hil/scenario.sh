#!/bin/sh
# The HIL scenario, run by /init inside the VM (busybox sh). Real kernel devices
# (snd-aloop, gpio-sim), real libasound/libgpiod backends, mosquitto on 127.0.0.1.
# Phases (audio from earshot-hil-gen, planned onsets in /hil/events.txt):
#   normal  events detected and received; PTZ pulses on the right line, 200±5 ms,
#           none inside the 3 s cooldown
#   xrun    agent SIGSTOPped 2 s mid-capture → overrun → recovers, detects the next event
#   reopen  sound card unbound, snd-aloop removed and re-inserted → status reports the
#           loss, the agent reopens with backoff and detects again
#   term    SIGTERM while a pulse is high → every line idle after exit (sysfs)
#   busy    a PTZ line held by gpioset → an error naming chip and line, events still published
#   kill    SIGKILL while a pulse is high → the line is left as the dead process left it;
#           earshot gpio idle (the unit's ExecStopPost) drives every line idle (kernel
#           trace), and the next start drives them idle before anything else
#   polarity earshot gpio pulse on an active-low copy of the board: idle high, active low
# Every check prints PASS:/FAIL:; the last line is
#   hil_pass=N hil_fail=M hil_latency_p50_ms=… hil_latency_p99_ms=…
# (latency: onset in the played audio → event received by mosquitto_sub). Exit 0 iff no FAIL.
H=/hil; E=/etc/earshot; L=/tmp/hil-logs; SUB=$L/sub.txt; WATCH=$L/watch.txt
PLAY=hw:Loopback,0,0
PULSE_MS=200; COOLDOWN_MS=3000; TOL_MS=5
mkdir -p $L /tmp/earshot-outbox
PASS=0; FAIL=0
ok() { echo "PASS: $*"; PASS=$((PASS + 1)); }
bad() { echo "FAIL: $*"; FAIL=$((FAIL + 1)); }
expect() { # expect "MESSAGE" CMD... : PASS when CMD succeeds
  _m=$1; shift
  if "$@"; then ok "$_m"; else bad "$_m"; fi
}
wait_for() { # wait_for SECONDS CMD... : polls every 0.1 s
  _n=$(($1 * 10)); shift
  while [ $_n -gt 0 ]; do "$@" && return 0; sleep 0.1; _n=$((_n - 1)); done
  return 1
}
log_has() { grep -q "$2" "$1" 2>/dev/null; }
wall() { hiltool now; }

# Status messages received after wall time $1 whose line matches the awk regex $2.
status_after() { awk -v t="$1" -v re="$2" '$2 ~ /\/status$/ && $1 >= t && $0 ~ re { n++ } END { exit n ? 0 : 1 }' $SUB; }
last_status() { awk '$2 ~ /\/status$/ { s = $0 } END { print s }' $SUB; }

# match_phase NAME START_S END_S: planned events of NAME against the events received
# with onset in [START-0.5, END]; one line per planned event:
#   "hit CLASS ONSET onset_err_ms=… latency_ms=…" or "miss CLASS ONSET";
# then "extra CLASS OFFSET" for every unplanned event in the window.
match_phase() {
  awk -v name="$1" -v t0="$2" -v tend="$3" '
    FNR == NR { if ($1 == name) { n++; po[n] = $2; pc[n] = $3 }; next }
    $2 ~ /\/event$/ {
      if ($0 ~ /"phase":"end"/) next   # the end of a sustained sound already reported at its start
      if (!match($0, /"class":"[^"]*"/)) next
      c = substr($0, RSTART + 9, RLENGTH - 10)
      if (!match($0, /"onset_ns":[0-9]+/)) next
      o = substr($0, RSTART + 11, RLENGTH - 11) / 1e9
      if (o < t0 - 0.5 || o > tend) next
      m++; ec[m] = c; eo[m] = o; er[m] = $1
    }
    END {
      for (i = 1; i <= n; i++) {
        T = t0 + po[i]; best = 0
        for (j = 1; j <= m; j++) { d = eo[j] - T; if (!used[j] && ec[j] == pc[i] && d < 0.5 && d > -0.5) { best = j; break } }
        if (best) { used[best] = 1; printf "hit %s %.3f onset_err_ms=%.1f latency_ms=%.1f\n", pc[i], po[i], (eo[best] - T) * 1000, (er[best] - T) * 1000 }
        else printf "miss %s %.3f\n", pc[i], po[i]
      }
      for (j = 1; j <= m; j++) if (!used[j]) printf "extra %s %.3f\n", ec[j], eo[j] - t0
    }' $H/events.txt $SUB
}

# judge_events PHASE START END: one check per planned event; latencies to $L/latency.txt.
judge_events() {
  match_phase "$1" "$2" "$3" > $L/match-$1.txt
  while read kind cls onset rest; do
    case $kind in
      hit) ok "$1: $cls at $onset s detected and received ($rest)"
           echo "$rest" | sed -n 's/.*latency_ms=\([-0-9.]*\).*/\1/p' >> $L/latency.txt ;;
      miss) bad "$1: $cls at $onset s not received by mosquitto_sub"
            echo "  telemetry LAeq (dBFS) per second around the miss: $(levels_between $(awk -v a=$2 -v o=$onset 'BEGIN { printf "%.3f %.3f", a + o - 3, a + o + 3 }'))" ;;
      extra) echo "note: $1: unplanned $cls event at $onset s" ;;
    esac
  done < $L/match-$1.txt
}

# levels_between FROM TO: the telemetry LAeq values received within [FROM, TO] (wall s).
levels_between() {
  awk -v a="$1" -v b="$2" '$2 ~ /\/telemetry$/ && $1 >= a && $1 <= b && match($0, /"laeq":[-0-9.]+/) { printf "%s ", substr($0, RSTART + 7, RLENGTH - 7) }' $SUB
}

# pulses FROM TO: "pulse OFFSET RISE_S WIDTH_MS UNCERTAINTY_MS" for each high period
# (from the watcher's log) that began within [FROM, TO] (uncertainty: the two poll
# gaps around its edges); "stuck OFFSET RISE_S" for a line still high.
pulses() {
  awk -v a="$1" -v b="$2" '
    $1 == "edge" && $3 == 1 { r[$2] = $4; u[$2] = $4 - $5 }
    $1 == "edge" && $3 == 0 && ($2 in r) { if (r[$2] >= a && r[$2] <= b) printf "pulse %d %.6f %.1f %.1f\n", $2, r[$2], ($4 - r[$2]) * 1000, (u[$2] + $4 - $5) * 1000; delete r[$2] }
    END { for (k in r) if (r[k] >= a && r[k] <= b) printf "stuck %d %.6f\n", k, r[k] }' $WATCH
}

# tpulses TRACEFILE: the same lines as `pulses`, from the kernel's gpio_value tracepoint
# (exact times of the agent's set-value calls, CLOCK_MONOTONIC + $CLOCK_OFFSET → wall s).
tpulses() {
  awk -v base=$BASE -v off=$CLOCK_OFFSET '
    /gpio_value:/ {
      for (i = 1; i <= NF; i++) {
        if ($i ~ /^[0-9]+\.[0-9]+:$/) ts = substr($i, 1, length($i) - 1) + 0
        if ($i == "gpio_value:") { g = $(i + 1); op = $(i + 2); v = $(i + 3) }
      }
      o = g - base
      if (op != "set" || o < 0 || o > 3) next
      if (v == 1 && !(o in r)) r[o] = ts
      else if (v == 0 && (o in r)) { printf "pulse %d %.6f %.3f\n", o, r[o] + off, (ts - r[o]) * 1000; delete r[o] }
    }
    END { for (k in r) printf "stuck %d %.6f\n", k, r[k] + off }' $1
}

play() { # play NAME PHASE: real-time playback into snd-aloop → P_START, P_END (wall s)
  hiltool play $PLAY $H/$1.wav > $L/play-$2.txt 2>&1 || bad "$2: hiltool play $1.wav failed: $(cat $L/play-$2.txt)"
  P_START=$(sed -n 's/^play_start_s=//p' $L/play-$2.txt); P_END=$(sed -n 's/^play_end_s=//p' $L/play-$2.txt)
  _x=$(sed -n 's/^play_xruns=//p' $L/play-$2.txt)
  echo "$2: played $1.wav, wall $P_START … $P_END, player underruns ${_x:-?}"
  [ "${_x:-1}" = 0 ] || echo "note: $2: the player underran ($(grep -c 'snd_pcm_writei at' $L/play-$2.txt)×): later onsets in the captured audio are late by the gap"
}

start_agent() { # start_agent NAME: earshot run in the background → AGENT pid, after its "running:" line
  earshot run --config $E/site.toml > $L/agent-$1.log 2>&1 &
  AGENT=$!
  wait_for 90 agent_up $L/agent-$1.log
  log_has $L/agent-$1.log "running:" && alive $AGENT && return 0
  echo "agent ($1) did not report running:"; cat $L/agent-$1.log; return 1
}

alive() { # alive PID: running (not exited, not a zombie awaiting wait)
  [ -r /proc/$1/stat ] && [ "$(awk '{ print $3 }' /proc/$1/stat 2>/dev/null)" != Z ]
}
agent_up() { # agent_up LOG: true once "running:" is logged, or once the agent has died
  log_has "$1" "running:" || ! alive $AGENT
}

stop_agent() { # stop_agent: SIGTERM, wait ≤ 20 s → AGENT_RC
  kill -TERM $AGENT 2>/dev/null
  _n=200; while [ $_n -gt 0 ] && alive $AGENT; do sleep 0.1; _n=$((_n - 1)); done
  if alive $AGENT; then kill -KILL $AGENT; AGENT_RC=killed; wait $AGENT; else wait $AGENT; AGENT_RC=$?; fi
}

selftest() { # selftest PHASE: asks the agent for cmd/selftest and prints its reply (diagnostics)
  _t=$(wall)
  mosquitto_pub -h 127.0.0.1 -t earshot/v1/vm/hil/cmd/selftest -q 1 -m '{}'
  wait_for 15 eval "awk -v t=$_t '\$1 >= t && \$2 ~ /cmd\/selftest\/reply\$/ { f = 1 } END { exit !f }' $SUB"
  echo "  $1 selftest reply: $(awk -v t=$_t '$1 >= t && $2 ~ /cmd\/selftest\/reply$/ { $1 = ""; $2 = ""; print; exit }' $SUB)"
}

line_values() { echo $(cat $S/sim_gpio0/value $S/sim_gpio1/value $S/sim_gpio2/value $S/sim_gpio3/value); }
percentile() { # percentile P FILE: nearest-rank percentile of the numbers in FILE
  sort -n "$2" | awk -v p="$1" '{ v[NR] = $1 } END { if (!NR) { print "nan"; exit } k = int((p * NR + 99) / 100); if (k < 1) k = 1; printf "%.1f\n", v[k] }'
}

# ---------------------------------------------------------------- devices, broker
G=/sys/kernel/config/gpio-sim/hil
mkdir $G $G/bank0
echo 8 > $G/bank0/num_lines; echo earshot-hil > $G/bank0/label
for i in 0 1 2 3; do mkdir $G/bank0/line$i; echo PTZ$((i + 1)) > $G/bank0/line$i/name; done
echo 1 > $G/live
CHIP=$(cat $G/bank0/chip_name); S=/sys/bus/gpio/devices/$CHIP
expect "gpio-sim chip $CHIP labelled earshot-hil, lines PTZ1-PTZ4 at 0-3" [ -c /dev/$CHIP ]
expect "snd-aloop card: $(grep -m1 Loopback /proc/asound/cards)" grep -q Loopback /proc/asound/cards
GV=$(cat $H/gpiod-version); GL=$(earshot gpio list --board $E/board.toml 2>&1)
expect "earshot gpio list: libgpiod $GV (the build's pkg-config version) lists $CHIP [earshot-hil] (8 lines)" \
  eval 'echo "$GL" | grep -qF "libgpiod $GV)" && echo "$GL" | grep -qF "$CHIP [earshot-hil] (8 lines)"'
BASE=; for d in /sys/class/gpio/gpiochip*; do [ "$(cat $d/label 2>/dev/null)" = earshot-hil ] && BASE=$(cat $d/base); done
TR=/sys/kernel/tracing
mount -t tracefs nodev $TR 2>/dev/null
echo mono > $TR/trace_clock; echo 2048 > $TR/buffer_size_kb; echo 1 > $TR/events/gpio/gpio_value/enable; : > $TR/trace
CLOCK_OFFSET=$(hiltool offset)
expect "ftrace gpio_value tracepoint on (PTZ1 = global GPIO ${BASE:-?}, clock mono, realtime offset $CLOCK_OFFSET s)" \
  [ -n "$BASE" -a "$(cat $TR/events/gpio/gpio_value/enable 2>/dev/null)" = 1 ]

printf 'listener 1883 127.0.0.1\nallow_anonymous true\nuser root\npersistence false\n' > /tmp/mosquitto.conf
mosquitto -c /tmp/mosquitto.conf > $L/mosquitto.log 2>&1 &
expect "mosquitto answers on 127.0.0.1:1883" wait_for 30 mosquitto_pub -h 127.0.0.1 -t hil/ping -m 1
mosquitto_sub -h 127.0.0.1 -V mqttv5 -t 'earshot/v1/vm/hil/#' -F '%U %t %p' > $SUB 2> $L/sub.err &
SUBPID=$!
hiltool watch $S 0 1 2 3 > $WATCH 2>&1 &
WATCHPID=$!
: > $L/latency.txt
sleep 0.5

# ---------------------------------------------------------------- normal
echo "== normal"
T=$(wall)
if start_agent normal; then
  wait_for 30 status_after $T '"audio":"ok"'
  expect "normal: status says audio ok" status_after $T '"audio":"ok"'
  expect "normal: status says mode events+ptz and ptz=enabled" status_after $T '"mode":"events.ptz".*ptz=enabled'
  play normal normal
  sleep 1.5
  judge_events normal $P_START $P_END
  cat $TR/trace > $L/trace-normal.txt; : > $TR/trace
  tpulses $L/trace-normal.txt | awk -v a=$P_START -v b=$P_END '$3 >= a && $3 <= b' > $L/pulses-normal.txt
  pulses $P_START $P_END > $L/sysfs-pulses-normal.txt
  # Expected pulses: greedy over the planned onsets with the cooldown.
  EXP=$(awk -v c=$COOLDOWN_MS '$1 == "normal" { t = $2 * 1000; if (!n || t - last >= c) { n++; last = t } } END { print n + 0 }' $H/events.txt)
  GOT=$(grep -c '^pulse 0 ' $L/pulses-normal.txt)
  expect "normal: $GOT pulses on PTZ1 (preset 1, the default sector; kernel trace), expected $EXP" [ "$GOT" = "$EXP" ]
  OTHER=$(grep -c -E '^(pulse|stuck) [123] ' $L/pulses-normal.txt)
  expect "normal: no pulse on PTZ2-PTZ4 ($OTHER seen)" [ "$OTHER" = 0 ]
  STUCK=$(grep -c '^stuck' $L/pulses-normal.txt)
  expect "normal: no line left high ($STUCK stuck)" [ "$STUCK" = 0 ]
  W=$(awk -v p=$PULSE_MS -v t=$TOL_MS '$1 == "pulse" { d = $4 - p; if (d < 0) d = -d; if (d > t) bad++; if (!n || $4 < lo) lo = $4; if (!n || $4 > hi) hi = $4; n++ }
        END { printf "%d %.2f %.2f\n", bad + 0, lo, hi }' $L/pulses-normal.txt)
  set -- $W
  expect "normal: pulse widths ${2}…${3} ms (kernel trace), all within ${PULSE_MS}±${TOL_MS} ms ($1 outside)" [ "$1" = 0 ]
  GAP=$(awk '$1 == "pulse" && $2 == 0 { if (n) { g = ($3 - last) * 1000; if (!m || g < min) min = g; m++ } last = $3; n++ } END { printf "%.0f\n", m ? min : 99999 }' $L/pulses-normal.txt)
  expect "normal: cooldown respected, shortest gap between PTZ1 rises $GAP ms ≥ $COOLDOWN_MS ms" [ "$GAP" -ge $COOLDOWN_MS ]
  SYS=$(grep -c '^pulse 0 ' $L/sysfs-pulses-normal.txt)
  SYSOTHER=$(grep -c -E '^(pulse|stuck) [123] |^stuck' $L/sysfs-pulses-normal.txt)
  expect "normal: gpio-sim sysfs value shows the same $SYS pulses on PTZ1 and nothing else ($SYSOTHER)" [ "$SYS" = "$GOT" -a "$SYSOTHER" = 0 ]
  awk -v t0=$P_START '$1 == "pulse" { printf "  trace: pulse line %d at +%.3f s, %.3f ms\n", $2, $3 - t0, $4 }' $L/pulses-normal.txt
  awk -v t0=$P_START '$1 == "pulse" { printf "  sysfs: pulse line %d at +%.3f s, %.1f ms (±%.1f ms poll gaps)\n", $2, $3 - t0, $4, $5 }' $L/sysfs-pulses-normal.txt
  grep "^pulse 0" $L/pulses-normal.txt | while read k o r w; do
    awk -v r=$r -v t0=$P_START 'BEGIN { best = 1e9 } $1 == "normal" { d = r - (t0 + $2); if (d >= 0 && d < best) best = d } END { printf "%.1f\n", best * 1000 }' $H/events.txt
  done > $L/ptz-latency.txt
  echo "  ptz rise after the planned onset, ms: $(tr '\n' ' ' < $L/ptz-latency.txt)"
else
  bad "normal: agent did not start"
fi

# ---------------------------------------------------------------- xrun
echo "== xrun"
T=$(wall)
( sleep 4; kill -STOP $AGENT; echo "xrun: SIGSTOP at $(wall)"; sleep 2; kill -CONT $AGENT; echo "xrun: SIGCONT at $(wall)" ) > $L/xrun-signals.txt &
play xrun xrun
cat $L/xrun-signals.txt
sleep 1.5
judge_events xrun $P_START $P_END
expect "xrun: status reported the overrun (audio recovering, or xruns ≥ 1 in detail)" status_after $T '"audio":"recovering"|xruns=[1-9]'
expect "xrun: agent still running" alive $AGENT

# ---------------------------------------------------------------- reopen
echo "== reopen"
T=$(wall)
( echo snd_aloop.0 > /sys/bus/platform/drivers/snd_aloop/unbind; echo "unbind rc=$? at $(wall)" ) > $L/unbind.txt 2>&1 &
UNBIND=$!
expect "reopen: status reports device_lost after the card was unbound" wait_for 30 status_after $T '"audio":"device_lost"'
wait $UNBIND; cat $L/unbind.txt
rmmod snd_aloop > $L/rmmod.txt 2>&1
expect "reopen: rmmod snd_aloop once the agent closed the device ($(cat $L/rmmod.txt))" [ ! -d /sys/module/snd_aloop ]
sleep 2
T2=$(wall)
insmod /lib/modules/snd-aloop.ko
expect "reopen: snd-aloop re-inserted" grep -q Loopback /proc/asound/cards
expect "reopen: status audio ok again after re-insertion" wait_for 30 status_after $T2 '"audio":"ok"'
echo "  $(last_status | sed -n 's/.*"detail":"\([^"]*\)".*/detail: \1/p')"
expect "reopen: detail counts the reopen (reopens ≥ 1)" status_after $T2 'reopens=[1-9]'
play one reopen
sleep 1.5
judge_events one $P_START $P_END
selftest reopen
mv $L/match-one.txt $L/match-reopen.txt

# ---------------------------------------------------------------- term
echo "== term"
sleep 3   # past the PTZ cooldown
hiltool watch $S 0 1 2 3 --kill-on-rise 0 $AGENT > $L/watch-term.txt 2>&1 &
TW=$!
play one term
wait_for 15 eval '! alive $AGENT'
stop_agent
kill $TW; wait $TW 2>/dev/null
cat $L/watch-term.txt | grep -v '^init'
expect "term: SIGTERM sent while PTZ1 was high" grep -q '^sigterm' $L/watch-term.txt
expect "term: agent exited with status 0 after SIGTERM (got $AGENT_RC)" [ "$AGENT_RC" = 0 ]
V=$(line_values)
expect "term: every PTZ line idle (low) in sysfs after exit: $V" [ "$V" = "0 0 0 0" ]
FALL=$(awk '$1 == "sigterm" { k = $3 } $1 == "edge" && $2 == 0 && $3 == 0 && k { printf "%.1f", ($4 - k) * 1000; exit }' $L/watch-term.txt)
expect "term: PTZ1 fell ${FALL:-never} ms after SIGTERM (before the 200 ms pulse end)" [ -n "$FALL" ]
expect "term: agent published status offline" status_after $T '"state":"offline"'

# ---------------------------------------------------------------- busy
echo "== busy"
gpioset --mode=signal $CHIP 1=0 &
HOLD=$!
sleep 0.5
gpioinfo $CHIP | grep -E 'line +1:' 
T=$(wall)
if start_agent busy; then
  grep -i "gpio" $L/agent-busy.log | head -3
  expect "busy: the log names the chip and the held line" grep -q -E "($CHIP|earshot-hil).*(PTZ2|line 1)|(PTZ2|line 1).*($CHIP|earshot-hil)" $L/agent-busy.log
  play one busy
  sleep 1.5
  judge_events one $P_START $P_END
  selftest busy
  mv $L/match-one.txt $L/match-busy.txt
  stop_agent
else
  sleep 1
  cat $L/agent-busy.log
  expect "busy: the error names the chip and the held line" grep -q -E "($CHIP|earshot-hil).*(PTZ2|line 1)|(PTZ2|line 1).*($CHIP|earshot-hil)" $L/agent-busy.log
  bad "busy: agent exited instead of running without PTZ ($(alive $AGENT && echo running || { wait $AGENT; echo exit $?; }))"
fi
kill $HOLD; wait $HOLD 2>/dev/null
V=$(line_values)
expect "busy: PTZ lines idle after exit: $V" [ "$V" = "0 0 0 0" ]

# ---------------------------------------------------------------- kill
# gpio-sim gives a released line its pull value. With PTZ1 pulled up, a line the dead
# agent no longer holds reads high, as a Pi's pin keeps the level last driven: the stuck
# camera input after a SIGKILL. Lines held by a process read what it drives.
echo "== kill"
sleep 3   # past the PTZ cooldown
echo pull-up > $S/sim_gpio0/pull
if start_agent kill; then
  hiltool watch $S 0 1 2 3 --kill-on-rise 0 $AGENT --signal 9 > $L/watch-kill.txt 2>&1 &
  KW=$!
  play one kill
  wait_for 15 eval '! alive $AGENT'
  wait $AGENT 2>/dev/null; AGENT_RC=$?
  kill $KW; wait $KW 2>/dev/null
  grep -v '^init' $L/watch-kill.txt
  expect "kill: SIGKILL sent while PTZ1 was high (agent status $AGENT_RC)" grep -q '^sigkill' $L/watch-kill.txt
  V=$(line_values)
  expect "kill: after the SIGKILL PTZ1 is left active, nobody drives it idle: $V" [ "$V" = "1 0 0 0" ]
  : > $TR/trace
  earshot gpio idle --config $E/site.toml > $L/gpio-idle.txt 2>&1; IDLE_RC=$?
  expect "kill: earshot gpio idle (ExecStopPost) exit $IDLE_RC: $(cat $L/gpio-idle.txt)" [ "$IDLE_RC" = 0 ]
  cat $TR/trace > $L/trace-idle.txt
  ZEROS=$(awk -v base=$BASE '/gpio_value:/ { for (i = 1; i <= NF; i++) if ($i == "gpio_value:" && $(i + 2) == "set" && $(i + 3) == 0) { o = $(i + 1) - base; if (o >= 0 && o <= 3) z[o] = 1 } }
          END { printf "%d\n", length(z) }' $L/trace-idle.txt)
  expect "kill: gpio idle drove all 4 PTZ lines to 0 (kernel trace: $ZEROS lines set 0)" [ "$ZEROS" = 4 ]
  : > $TR/trace
  if start_agent kill-restart; then
    V=$(line_values)
    expect "kill: the next start holds every line idle, PTZ1 too: $V" [ "$V" = "0 0 0 0" ]
    expect "kill: the next start logged the lines driven idle before anything else" \
      awk '/driven idle .* at start/ && !a { a = NR } (/mqtt: connected/ || /running:/) && !b { b = NR } END { exit !(a && (!b || a < b)) }' $L/agent-kill-restart.log
    stop_agent
  else
    bad "kill: the agent did not start again"
  fi
else
  bad "kill: agent did not start"
fi
echo pull-down > $S/sim_gpio0/pull
V=$(line_values)
expect "kill: PTZ lines idle at the end: $V" [ "$V" = "0 0 0 0" ]

# ---------------------------------------------------------------- polarity
# The board's active_low reaches the kernel (libgpiod's per-line active-low setting): on an
# active-low copy of the board, earshot gpio pulse claims the four lines idle = physical
# high, drives PTZ3 low for 300 ms and high again, then releases them (kernel trace: the
# physical values set; sysfs sampled mid-pulse: the others idle high, PTZ3 low).
echo "== polarity"
sed -e 's/^active_low = false/active_low = true/' -e 's/^idle_level = "low"/idle_level = "high"/' $E/board.toml > /tmp/board-active-low.toml
: > $TR/trace
earshot gpio pulse PTZ3 --ms 300 --board /tmp/board-active-low.toml > $L/pulse-active-low.txt 2>&1 &
PP=$!
wait_for 10 eval '[ "$(cat $S/sim_gpio0/value)" = 1 ]'
sleep 0.05
VMID=$(line_values)
wait $PP; PRC=$?
cat $TR/trace > $L/trace-polarity.txt
set -- $(awk -v g=$((BASE + 2)) '/gpio_value:/ {
    for (i = 1; i <= NF; i++) { if ($i ~ /^[0-9]+\.[0-9]+:$/) ts = substr($i, 1, length($i) - 1) + 0
      if ($i == "gpio_value:" && $(i + 1) == g && $(i + 2) == "set") { v = v $(i + 3); t[++n] = ts } } }
  END { if (v == "") v = "none"; w = 0; if (n >= 3) w = (t[3] - t[2]) * 1000; printf "%s %.1f\n", v, w }' $L/trace-polarity.txt)
SETS=$1; LOWMS=$2
expect "polarity: gpio pulse PTZ3 on an active-low board (exit $PRC: $(head -1 $L/pulse-active-low.txt)) set PTZ3 high (idle), low (active), high: kernel trace $SETS, expected 101" \
  [ "$PRC" = 0 -a "$SETS" = 101 ]
expect "polarity: PTZ3 was low (active) for $LOWMS ms (kernel trace), 300±5 ms" awk -v w=$LOWMS 'BEGIN { exit !(w >= 295 && w <= 305) }'
expect "polarity: sysfs mid-pulse PTZ1-PTZ4 = $VMID (idle high, PTZ3 active low), expected 1 1 0 1" [ "$VMID" = "1 1 0 1" ]
V=$(line_values)
expect "polarity: after the release every line reads gpio-sim's pull-down: $V" [ "$V" = "0 0 0 0" ]

# ---------------------------------------------------------------- summary
kill $WATCHPID $SUBPID 2>/dev/null; sleep 0.2
tail -1 $WATCH
dmesg > $L/dmesg.txt
N=$(wc -l < $L/latency.txt)
echo "latencies_ms($N): $(sort -n $L/latency.txt | tr '\n' ' ')"
echo "hil_pass=$PASS hil_fail=$FAIL hil_latency_p50_ms=$(percentile 50 $L/latency.txt) hil_latency_p99_ms=$(percentile 99 $L/latency.txt)"
[ $FAIL = 0 ]

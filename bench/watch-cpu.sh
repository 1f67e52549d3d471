#!/usr/bin/env bash
# Whole-host `checkpointable watch --interval 1s` beside ../shared/bench's loadgen (default 1000 processes x
# 100 fds): its CPU over 60 s when nothing changes (utime+stime from /proc/PID/stat), then how long it takes
# to report a flock taken by a process that already existed. Not a test: figures go to bench/RESULTS.md.
#   bench/watch-cpu.sh KIT_DIR BINARY        (bench/run.sh watch builds the kit and calls this)
# Env: WATCH_P, WATCH_F (loadgen size), WATCH_SECONDS (idle period), WATCH_INTERVAL (default 1s).
set -euo pipefail
kit=$1 bin=$2
P=${WATCH_P:-1000} F=${WATCH_F:-100} D=${WATCH_SECONDS:-60} I=${WATCH_INTERVAL:-1s}
work=$(mktemp -d /tmp/checkpointable-watch.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

"$kit/loadgen" -p "$P" -f "$F" > "$work/loadgen.log" 2>&1 &
pids+=($!)
for _ in $(seq 6000); do grep -q READY "$work/loadgen.log" && break; sleep 0.1; done
grep -q READY "$work/loadgen.log" || { echo "loadgen did not get ready"; exit 1; }
echo "loadgen -p $P -f $F: $(ls /proc | grep -c '^[0-9]') processes on the host"

# CHECKPOINTABLE_TIMING=1: every look prints its CPU time, so looks that found nothing can be told from
# looks that handled changes (on a shared machine other processes come and go all the time).
CHECKPOINTABLE_TIMING=1 "$bin" watch --interval "$I" > "$work/watch.log" 2> "$work/watch.err" &
w=$!
pids+=($w)
for _ in $(seq 3000); do [ -s "$work/watch.log" ] && break; sleep 0.1; done
[ -s "$work/watch.log" ] || { echo "watch printed nothing"; cat "$work/watch.err"; exit 1; }
head -1 "$work/watch.log"
sleep 3   # let the first look after the full scan go by

ticks() { awk '{ print $14 + $15 }' "/proc/$w/stat"; }
hz=$(getconf CLK_TCK)
t0=$(ticks); s0=$(date +%s.%N); l0=$(wc -l < "$work/watch.log"); e0=$(wc -l < "$work/watch.err")
sleep "$D"
t1=$(ticks); s1=$(date +%s.%N); l1=$(wc -l < "$work/watch.log")
cpu=$(awk -v a="$t0" -v b="$t1" -v s="$s0" -v e="$s1" -v hz="$hz" 'BEGIN { printf "%.2f", (b - a) / hz / (e - s) * 100 }')
tail -n +"$((e0 + 1))" "$work/watch.err" | awk '
  /nothing changed/ { q++; match($0, /cpu [0-9.]+ ms/); qc += substr($0, RSTART + 4, RLENGTH - 7) }
  /changed, .* gone/ { c++; match($0, /cpu [0-9.]+ ms/); cc += substr($0, RSTART + 4, RLENGTH - 7) }
  END { printf "looks in the window: %d found nothing (mean %.1f ms CPU each), %d handled changes of other processes (mean %.1f ms CPU each)\n", q, q ? qc / q : 0, c, c ? cc / c : 0 }'
echo "idle: $cpu% of one core over $(awk -v s="$s0" -v e="$s1" 'BEGIN { printf "%.1f", e - s }') s ($((t1 - t0)) ticks at $hz Hz; $((l1 - l0)) transition lines meanwhile, from other processes of the host)"

# A process that exists first, then takes a flock on a file it opens: one fd more, and a lock.
bash -c 'sleep 4; exec 9> '"$work"'/lock; flock 9; date +%s.%N > '"$work"'/locked; exec sleep 60' &
holder=$!
pids+=($holder)
for _ in $(seq 2000); do [ -s "$work/locked" ] && grep -q "^[^ ]* $holder fd 9: 1 -> 0 .*\[L1" "$work/watch.log" && break; sleep 0.01; done
seen=$(date +%s.%N)
if grep -q "^[^ ]* $holder fd 9: 1 -> 0 .*\[L1" "$work/watch.log"; then
  echo "flock by pid $holder reported $(awk -v a="$(cat "$work/locked")" -v b="$seen" 'BEGIN { printf "%.2f", b - a }') s after it was taken (interval $I):"
  grep " $holder " "$work/watch.log"
else
  echo "flock by pid $holder NOT reported within 20 s"; tail -5 "$work/watch.log"
fi

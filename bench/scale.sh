#!/usr/bin/env bash
# Scale benchmark, each kind at three sizes; for each, wall time and peak RSS of `checkpointable -t ROOT` and of
# the whole-host table (with that tree on the host). Needs root (pid_max). Prints a markdown table, also kept in
# bench/results/. Kinds:
#   fds N       one process holding N fds (at most the hard RLIMIT_NOFILE: 20,000 on a machine without
#               CAP_SYS_RESOURCE, where RLIMIT_NOFILE cannot be raised)
#   fdtree N    N fds held by N/10,000 processes of one tree (how 1,000,000 fds fit under that limit)
#   tree N      a tree of N processes;  sockets N   N unix sockets (socketpairs) held by 20 processes of one tree
#   bench/scale.sh                      # fds 4k/8k/16k, fdtree 100k/300k/1M, tree 2500/5000/10000, sockets 50k/100k/200k
#   bench/scale.sh fds 1000 10000       # one kind at the sizes given
# The helper is tests/scale/hold.c (the same one Scale/ScaleTests.cs uses at CI sizes).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
export HOME="${HOME:-/root}" DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
bin="$root/out/checkpointable"
[ -x "$bin" ] || (cd "$root" && dotnet publish src/Checkpointable.Cli -c Release -o out -nologo -v quiet)
{ [ -x /usr/bin/time ] && command -v bc >/dev/null; } || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time bc >/dev/null
work=$(mktemp -d /tmp/checkpointable-scale.XXXXXX)
gcc -O2 -Wall -Werror -o "$work/hold" "$root/tests/scale/hold.c"
mkdir -p "$here/results"
out="$here/results/scale-$(date -u +%Y%m%dT%H%M%SZ).txt"

# A tree of 10,000 needs room under pid_max beside everything else running: raise it for the run, then restore.
pid_max=$(cat /proc/sys/kernel/pid_max)
cleanup() {
  [ -n "${holder:-}" ] && kill "$holder" 2>/dev/null; wait 2>/dev/null || true
  echo "$pid_max" > /proc/sys/kernel/pid_max
  rm -rf "$work"
}
trap cleanup EXIT

# measure CMD...: "wall user sys peakKB exit" (its stdout in $work/out.txt). CPU time (user + sys) is the work done;
# wall time also holds the waits for a CPU on a shared machine.
measure() {
  local rc=0
  /usr/bin/time -o "$work/time.txt" -f '%e %U %S %M' "$@" > "$work/out.txt" 2> "$work/err.txt" || rc=$?
  echo "$(tail -1 "$work/time.txt") $rc"
}

run() { # KIND SIZE
  local kind=$1 size=$2 args
  case $kind in
    fds) args="fds $size" ;;
    fdtree) args="fds $size $(( (size + 9999) / 10000 ))" ;;
    tree) args="tree $size"
          need=$((size + $(ls /proc | grep -c '^[0-9]') + 4096))
          [ "$need" -lt "$(cat /proc/sys/kernel/pid_max)" ] || echo $((need * 2)) > /proc/sys/kernel/pid_max ;;
    sockets) args="sockets $size 20" ;;
  esac
  rm -f "$work/hold.out"
  mkfifo "$work/in.$kind.$size"
  "$work/hold" $args < "$work/in.$kind.$size" > "$work/hold.out" 2>&1 &
  holder=$!
  exec 9> "$work/in.$kind.$size"   # hold the fifo open: the helper holds until EOF
  for _ in $(seq 600); do grep -q READY "$work/hold.out" 2>/dev/null && break; sleep 0.1; done
  local rootpid; rootpid=$(awk '/READY/ {print $2}' "$work/hold.out")
  [ -n "$rootpid" ] || { echo "hold $args failed: $(cat "$work/hold.out")" >&2; exec 9>&-; return; }
  read -r t_s t_u t_k t_kb t_rc < <(measure "$bin" -t "$rootpid")
  local verdict; verdict=$(grep '^verdict' "$work/out.txt" | cut -c1-10)
  read -r h_s h_u h_k h_kb h_rc < <(measure "$bin")
  local rows; rows=$(($(wc -l < "$work/out.txt") - 1))
  printf '| %-7s | %8s | %7s s | %7s s | %6s MB | %s (exit %s) | %7s s | %7s s | %6s MB | %6s |\n' \
    "$kind" "$size" "$t_s" "$(echo "$t_u + $t_k" | bc)" "$((t_kb / 1024))" "$verdict" "$t_rc" \
    "$h_s" "$(echo "$h_u + $h_k" | bc)" "$((h_kb / 1024))" "$rows" | tee -a "$out"
  exec 9>&-
  wait "$holder" 2>/dev/null || true
  holder=
}

echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores" | tee "$out"
echo "| kind | size | -t wall | -t CPU | -t peak RSS | -t verdict | host wall | host CPU | host peak RSS | host rows |" | tee -a "$out"
echo "|---|---:|---:|---:|---:|---|---:|---:|---:|---:|" | tee -a "$out"
if [ $# -ge 2 ]; then
  kind=$1; shift
  for size in "$@"; do run "$kind" "$size"; done
else
  for size in 4000 8000 16000; do run fds "$size"; done
  for size in 100000 300000 1000000; do run fdtree "$size"; done
  for size in 2500 5000 10000; do run tree "$size"; done
  for size in 50000 100000 200000; do run sockets "$size"; done
fi
echo "kept in $out"

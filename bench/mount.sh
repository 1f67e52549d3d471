#!/usr/bin/env bash
# Benchmarks of `checkpointable mount` (not tests). Needs root, fuse3, hyperfine, python3.
#   bench/mount.sh latency   # `cat DIR/W/checkpointable` vs `checkpointable -t W` for a loadgen worker with 100 fds
#   bench/mount.sh stress    # 8 readers, 100,000 reads across processes that come and go: errors and daemon RSS
#   bench/mount.sh           # both
# Results are printed and kept under bench/results/.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
shared=$(cd "$root/../shared/bench" && pwd)
mode=${1:-all}
bin="$root/out/checkpointable"
[ -x "$bin" ] || (cd "$root" && dotnet publish src/Checkpointable.Cli -c Release -o out -nologo -v quiet)
command -v hyperfine >/dev/null || apt-get install -y -qq hyperfine >/dev/null
command -v fusermount3 >/dev/null || apt-get install -y -qq fuse3 libfuse3-3 >/dev/null

kit=$(mktemp -d /tmp/checkpointable-mount-bench.XXXXXX)
cp -r "$shared"/. "$kit"/
chmod -R u+w "$kit"
make -s -C "$kit"
mkdir -p "$here/results" "$kit/mnt"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  fusermount3 -u "$kit/mnt" 2>/dev/null || umount -l "$kit/mnt" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$kit"
}
trap cleanup EXIT

"$bin" mount "$kit/mnt" 2> "$kit/mount.log" &
daemon=$!
pids+=("$daemon")
for _ in $(seq 300); do grep -q "mounted on" "$kit/mount.log" && break; sleep 0.1; done

start_loadgen() { # P F -> sets lg_pid and worker
  local log="$kit/loadgen-$1-$2.log"
  "$kit/loadgen" -p "$1" -f "$2" > "$log" 2>&1 &
  lg_pid=$!
  pids+=("$lg_pid")
  for _ in $(seq 300); do grep -q READY "$log" && break; sleep 0.1; done
  local rootpid
  rootpid=$(grep -o 'root_pid=[0-9]*' "$log" | head -1 | cut -d= -f2)
  worker=$(tr ' ' '\n' < "/proc/$rootpid/task/$rootpid/children" | head -1)
}

if [ "$mode" = all ] || [ "$mode" = latency ]; then
  start_loadgen 1 100
  out="$here/results/mount-latency-$stamp.txt"
  echo "loadgen -p 1 -f 100: worker $worker holds $(ls /proc/$worker/fd | wc -l) fds" | tee "$out"
  cmp <("$bin" -t "$worker" | sed -n '2,10p') "$kit/mnt/$worker/checkpointable" && echo "same nine lines from both" | tee -a "$out"
  fd=$(ls "/proc/$worker/fd" | sort -n | awk '$1 > 2' | head -1)
  hyperfine -N -i -w 5 -r 100 "cat $kit/mnt/$worker/checkpointable" "$bin -t $worker" \
    "cat $kit/mnt/$worker/fdinfo/$fd" "cat $kit/mnt/$worker/reasons" | tee -a "$out"
  hyperfine -i -w 1 -r 10 "grep . $kit/mnt/$worker/fdinfo/* > /dev/null" "$bin fdinfo $worker > /dev/null" | tee -a "$out"
  kill "$lg_pid"; wait "$lg_pid" 2>/dev/null || true
fi

if [ "$mode" = all ] || [ "$mode" = stress ]; then
  out="$here/results/mount-stress-$stamp.txt"
  start_loadgen 20 20 # stable processes, each with a realistic mix of 20 fds
  # Processes that come and go: every 200 ms a shell with a few fds that lives 0.2-1 s.
  ( while :; do bash -c 'exec 3</etc/hostname 4>/dev/null 5<>/dev/zero; sleep 0.$((RANDOM % 8 + 2))' & sleep 0.2; done ) &
  churn=$!
  pids+=("$churn")
  python3 "$here/mount-stress.py" "$kit/mnt" "$daemon" "${READS:-100000}" 8 | tee "$out" || true
  kill "$churn"; wait "$churn" 2>/dev/null || true
  kill "$lg_pid"; wait "$lg_pid" 2>/dev/null || true
  echo "daemon stderr:" | tee -a "$out"; grep -v "mounted on" "$kit/mount.log" | head -5 | tee -a "$out"
fi

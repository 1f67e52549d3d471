#!/usr/bin/env bash
# Benchmarks (not tests): the whole-host scan against ../shared/bench's floor and lsof, its growth with
# the number of processes, and the latency of judging one 100-fd tree. Needs root, hyperfine, lsof.
#   bench/run.sh                 # everything below
#   bench/run.sh host|growth|tree|watch
# Results are printed and kept under bench/results/.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
shared=$(cd "$root/../shared/bench" && pwd)
mode=${1:-all}
bin="$root/out/checkpointable"
[ -x "$bin" ] || (cd "$root" && dotnet publish src/Checkpointable.Cli -c Release -o out -nologo -v quiet)
command -v hyperfine >/dev/null || apt-get install -y -qq hyperfine lsof >/dev/null

# shared/ is read-only: build the kit in a temporary folder.
kit=$(mktemp -d /tmp/checkpointable-bench.XXXXXX)
cp -r "$shared"/. "$kit"/
chmod -R u+w "$kit"
make -s -C "$kit"
mkdir -p "$here/results"
stamp=$(date -u +%Y%m%dT%H%M%SZ)

if [ "$mode" = all ] || [ "$mode" = host ]; then
  # bench.sh's predictor slot times `checkpointable` with no PID: the whole-host table.
  PREDICTOR="$bin" "$kit/bench.sh" run -p 1000 -f 100 -t "floor floor-j2 lsof predictor" -o "$kit/host" | tee "$here/results/host-$stamp.txt"
fi

if [ "$mode" = all ] || [ "$mode" = growth ]; then
  PREDICTOR="$bin" "$kit/bench.sh" growth -s "500x100 1000x100 2000x100" -t "floor lsof predictor" -o "$kit/growth" | tee "$here/results/growth-$stamp.txt"
fi

if [ "$mode" = all ] || [ "$mode" = tree ]; then
  # `checkpointable -t WORKER` on one loadgen worker holding 100 fds, end to end: on an otherwise quiet host
  # (1 worker) and on a loaded one (1000 workers: 100k fds, 38k sockets in the same network namespace).
  for p in 1 1000; do
    log="$kit/tree-loadgen-$p.log"
    "$kit/loadgen" -p "$p" -f 100 > "$log" 2>&1 &
    lg=$!
    for _ in $(seq 300); do grep -q READY "$log" && break; sleep 0.1; done
    rootpid=$(grep -o 'root_pid=[0-9]*' "$log" | head -1 | cut -d= -f2)
    worker=$(tr ' ' '\n' < "/proc/$rootpid/task/$rootpid/children" | head -1)
    echo "loadgen -p $p -f 100: worker $worker holds $(ls /proc/$worker/fd | wc -l) fds" | tee -a "$here/results/tree-$stamp.txt"
    hyperfine -N -i -w 3 -r 50 "$bin -t $worker" | tee -a "$here/results/tree-$stamp.txt"
    kill "$lg"; wait "$lg" 2>/dev/null || true
  done
fi
if [ "$mode" = all ] || [ "$mode" = watch ]; then
  # Whole-host watch at 1000 x 100 fds: CPU over 60 s when nothing changes, and the delay to catch a flock.
  "$here/watch-cpu.sh" "$kit" "$bin" | tee "$here/results/watch-$stamp.txt"
fi
rm -rf "$kit"

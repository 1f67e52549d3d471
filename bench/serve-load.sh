#!/usr/bin/env bash
# Load benchmark of `checkpointable serve` (not a test): wrk against /metrics and /v1/processes/PID for
# DURATION seconds each on loopback, beside loadgen's synthetic host. Reports requests/s, errors (socket
# errors and non-2xx), the agent's RSS every second (flat or growing) and how many host and process scans
# the requests cost (shared scans: far fewer scans than requests). Needs root; installs wrk.
#   bench/serve-load.sh [DURATION] [P] [F]      defaults: 30 s, loadgen -p 200 -f 100
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
shared=$(cd "$root/../shared/bench" && pwd)
duration=${1:-30}; procs=${2:-200}; fds=${3:-100}
bin="$root/out/checkpointable"
[ -x "$bin" ] || (cd "$root" && dotnet publish src/Checkpointable.Cli -c Release -o out -nologo -v quiet)
command -v wrk >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null

kit=$(mktemp -d /tmp/checkpointable-serve-bench.XXXXXX)
cp -r "$shared"/. "$kit"/
chmod -R u+w "$kit"
make -s -C "$kit"
mkdir -p "$here/results"
out="$here/results/serve-$(date -u +%Y%m%dT%H%M%SZ).txt"

"$kit/loadgen" -p "$procs" -f "$fds" > "$kit/loadgen.log" 2>&1 &
lg=$!
"$bin" serve --listen 127.0.0.1:0 > "$kit/serve.log" 2>&1 &
sv=$!
cleanup() { kill "$sv" "$lg" 2>/dev/null || true; kill "${sampler:-}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$kit"; }
trap cleanup EXIT
for _ in $(seq 300); do grep -q READY "$kit/loadgen.log" && grep -q listening "$kit/serve.log" && break; sleep 0.1; done
addr=$(grep -o 'http://[0-9.:]*' "$kit/serve.log" | head -1)
rootpid=$(grep -o 'root_pid=[0-9]*' "$kit/loadgen.log" | head -1 | cut -d= -f2)
worker=$(tr ' ' '\n' < "/proc/$rootpid/task/$rootpid/children" | head -1)
rss() { awk '/VmRSS/{print $2}' "/proc/$sv/status"; }
scans() { curl -s "$addr/metrics" | awk '/^checkpointable_scans_total /{print $2}'; }
targets() { curl -s "$addr/metrics" | awk '/^checkpointable_target_scans_total /{print $2}'; }

{
  echo "serve at $addr (pid $sv), loadgen -p $procs -f $fds (worker $worker holds $(ls /proc/$worker/fd | wc -l) fds), $(nproc) cores, wrk -t2 -c16 -d${duration}s"
  curl -s "$addr/metrics" > /dev/null   # first scan: warm-up
  echo "RSS after warm-up: $(rss) kB"
  for path in /metrics "/v1/processes/$worker"; do
    before=$(scans); tbefore=$(targets)
    (while sleep 1; do rss; done > "$kit/rss.txt") & sampler=$!
    wrk -t2 -c16 -d"${duration}s" --latency "$addr$path" | grep -E "Requests/sec|Non-2xx|Socket errors|requests in|50%|99%"
    kill "$sampler"; wait "$sampler" 2>/dev/null || true
    echo "  $path: host scans during the run: $(( $(scans) - before - 1 )), process scans: $(( $(targets) - tbefore )); RSS every second (kB): min $(sort -n "$kit/rss.txt" | head -1), max $(sort -n "$kit/rss.txt" | tail -1), first $(head -1 "$kit/rss.txt"), last $(tail -1 "$kit/rss.txt")"
  done
  echo "RSS at the end: $(rss) kB"
} 2>&1 | tee "$out"

#!/usr/bin/env bash
# fuzz/run-all.sh SECONDS: every parser in turn (one at a time: one core), SECONDS each; one summary line each,
# also appended to fuzz/work/summary.txt.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-300}
./build.sh >/dev/null
./seeds.sh >/dev/null
for parser in $(./run.sh list); do
  ./run.sh "$parser" "$seconds" | tee -a work/summary.txt
done

#!/usr/bin/env bash
# fuzz/run.sh PARSER SECONDS: fuzzes one parser (a name from fuzz/Checkpointable.Fuzz/ParserTargets.cs, or `list`;
# `selftest` is a planted bug that must be reported as a crash: it shows the pipeline works)
# with AFL++ for SECONDS, from the seeds of fuzz/seeds.sh, and prints one line: execs, corpus paths, crashes, hangs.
# Findings are in fuzz/work/findings/PARSER; crashes/ are inputs that made an exception escape, replayed at the end
# with an uninstrumented build (the instrumented one only runs under afl-fuzz), which prints each exception:
#   dotnet fuzz/work/replay/Checkpointable.Fuzz.dll PARSER FILE...
# Fix the parser, then add FILE to tests/Checkpointable.Tests/Fixtures/fuzz/PARSER/ as a regression test.
set -euo pipefail
cd "$(dirname "$0")"
export HOME="${HOME:-/root}" DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
parser=${1:?usage: fuzz/run.sh PARSER SECONDS}
seconds=${2:-300}
[ -f work/bin/Checkpointable.Fuzz.dll ] || ./build.sh >/dev/null
if [ "$parser" = list ]; then dotnet work/bin/Checkpointable.Fuzz.dll 2>&1 | sed 's/.*parsers: //'; exit 0; fi
seeds="work/seeds/$parser"
[ "$parser" = selftest ] && seeds=work/seeds/stat   # the planted bug of ParserTargets.SelfTest: must crash
[ -d "$seeds" ] || ./seeds.sh >/dev/null
[ -d "$seeds" ] || { echo "no seeds for $parser" >&2; exit 2; }

out="work/findings/$parser"
rm -rf "$out" && mkdir -p work/findings
# dotnet is not AFL-compiled (SharpFuzz instruments the IL), so the binary check is skipped; no UI, no core
# pinning (the machine is shared), a generous timeout for the first run's JIT.
AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
  afl-fuzz -i "$seeds" -o "$out" -V "$seconds" -t 5000 -m none \
  -- dotnet work/bin/Checkpointable.Fuzz.dll "$parser" > "work/$parser.log" 2>&1 || true

stats="$out/default/fuzzer_stats"
[ -f "$stats" ] || { echo "$parser: afl-fuzz did not start, see fuzz/work/$parser.log" >&2; tail -20 "work/$parser.log" >&2; exit 2; }
get() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
start=$(get start_time); last=$(get last_update); lastfind=$(get last_find)
since=$(( lastfind > 0 ? last - lastfind : last - start ))
printf '%-16s %6ss  execs %10s  (%s/s)  paths %5s  crashes %s  hangs %s  last new path %ss before the end\n' \
  "$parser" "$seconds" "$(get execs_done)" "$(get execs_per_sec)" "$(get corpus_count)" "$(get saved_crashes)" "$(get saved_hangs)" "$since"
if [ "$(get saved_crashes)" != 0 ]; then
  [ -f work/replay/Checkpointable.Fuzz.dll ] || dotnet build Checkpointable.Fuzz -c Release -o work/replay -nologo -v quiet >/dev/null
  dotnet work/replay/Checkpointable.Fuzz.dll "$parser" "$out"/default/crashes/id* | sed 's/^/  /' || true
fi

#!/usr/bin/env bash
# Run every test: unit and live tests (xunit), the Native AOT publish (no trim/AOT warnings),
# and agreement with CRIU's recorded verdicts (../shared/oracle). Needs root for the live tests.
set -uo pipefail
cd "$(dirname "$0")"
# CI may run without HOME; the dotnet CLI wants one.
export HOME="${HOME:-/root}" DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
root=$(pwd)

# What the tests need: gcc (test subject), strace (no-touch test), clang + zlib (AOT), python3 (oracle),
# util-linux (setpriv, mount), fuse3 + libfuse3-3 (+ -dev headers for the layout check) for `mount`, prometheus
# (serve's scrape test). Never iptables or nftables: CRIU's recorded verdicts assume they are absent.
need=()
for pkg in gcc make strace clang zlib1g-dev python3 util-linux fuse3 libfuse3-3 libfuse3-dev prometheus; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null; fi
fi

failed=0
step() { echo; echo "== $*"; }

step "build (warnings are errors)"
dotnet build checkpointable.slnx -c Release -nologo -v quiet || failed=1

step "fuzz harness builds (fuzz/run.sh instruments and runs it; not here)"
dotnet build fuzz/Checkpointable.Fuzz -c Release -nologo -v quiet || failed=1

step "Native AOT publish"
if dotnet publish src/Checkpointable.Cli -c Release -o out -nologo -v quiet 2>&1 | tee /tmp/checkpointable-publish.log | grep -E "warning (IL|AOT)"; then
  echo "AOT/trim warnings found"; failed=1
fi
[ -x out/checkpointable ] || { echo "no AOT binary"; failed=1; }

step "unit and live tests"
results=$(mktemp -d)
# A shell running us in the background ignores SIGINT, and the commands the tests start would inherit that
# (.NET then installs no handler): the tests that stop watch, mount and serve with ^C need the default.
CHECKPOINTABLE_BIN="$root/out/checkpointable" env --default-signal=INT,QUIT dotnet test tests/Checkpointable.Tests -c Release --no-build -nologo \
  --logger "trx;LogFileName=tests.trx" --results-directory "$results" 2>&1 | tee "$results/out.txt"
[ "${PIPESTATUS[0]}" = 0 ] || failed=1
summary=$(grep -Eo 'Failed: +[0-9]+, Passed: +[0-9]+' "$results/out.txt" | tail -1)
tests_failed=$(echo "$summary" | grep -Eo 'Failed: +[0-9]+' | grep -Eo '[0-9]+')
tests_passed=$(echo "$summary" | grep -Eo 'Passed: +[0-9]+' | grep -Eo '[0-9]+')

step "agreement with CRIU (../shared/oracle)"
oracle_failed=0
if [ -x ../shared/oracle/compare.sh ] && [ "$(id -u)" = 0 ]; then
  ../shared/oracle/compare.sh "$root/out/checkpointable -t {pid} {opts}" | tee "$results/oracle.txt"
  line=$(grep -E '^[0-9]+ agree, [0-9]+ disagree, [0-9]+ errors' "$results/oracle.txt" | tail -1)
  if ! echo "$line" | grep -qE ' 0 disagree, 0 errors'; then oracle_failed=1; failed=1; fi
else
  echo "skipped: needs root and ../shared/oracle"
fi

echo
echo "tests: ${tests_passed:-0} passed, $(( ${tests_failed:-1} + oracle_failed )) failed"
exit $failed

#!/usr/bin/env bash
# Builds the fuzz harness into fuzz/work/bin and instruments Checkpointable.Core.dll there with SharpFuzz
# (the parsers live in Core; the harness and the runtime stay uninstrumented). Installs AFL++ (Debian afl++)
# and the SharpFuzz.CommandLine dotnet tool into fuzz/work/tools if missing.
set -euo pipefail
cd "$(dirname "$0")"
export HOME="${HOME:-/root}" DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
if ! command -v afl-fuzz >/dev/null; then
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq afl++ xxd >/dev/null
  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq afl++ xxd >/dev/null; fi
fi
[ -x work/tools/sharpfuzz ] || dotnet tool install SharpFuzz.CommandLine --version 2.3.0 --tool-path work/tools >/dev/null
rm -rf work/bin
dotnet publish Checkpointable.Fuzz -c Release -o work/bin -nologo -v quiet
work/tools/sharpfuzz work/bin/Checkpointable.Core.dll
echo "instrumented: fuzz/work/bin/Checkpointable.Core.dll"

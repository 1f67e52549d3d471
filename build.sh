#!/usr/bin/env bash
# Build the Native AOT binary (out/checkpointable) and run the main job: the whole-host table.
# Usage: ./build.sh [checkpointable arguments...]   e.g. ./build.sh -t 1234 --tcp-established
set -euo pipefail
cd "$(dirname "$0")"
# CI may run without HOME; the dotnet CLI wants one.
export HOME="${HOME:-/root}" DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# Native AOT links with clang and zlib; install them on a fresh Debian machine.
need=()
command -v clang >/dev/null || need+=(clang)
dpkg -s zlib1g-dev >/dev/null 2>&1 || need+=(zlib1g-dev)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null; fi
fi

# A fresh out/: when the publish fails (set -e stops here) no binary of a former build is left to be run as this one.
rm -rf out
dotnet publish src/Checkpointable.Cli -c Release -o out -nologo -v quiet -p:TreatWarningsAsErrors=true
echo "built out/checkpointable" >&2
if [ "$(id -u)" = 0 ]; then exec out/checkpointable "$@"; else exec sudo out/checkpointable "$@"; fi

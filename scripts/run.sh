#!/usr/bin/env bash
# The README's run command: installs what the silo needs on a fresh Debian 12 machine with the .NET 10 SDK, then runs it
# with the arguments given (e.g. scripts/run.sh --demo). ScottPlot draws no chart text without a system font, so the
# pages' charts need fonts-dejavu-core.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/debian-packages.sh
install_missing fonts-dejavu-core
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
exec dotnet run --project src/Monitoring.Silo -- "$@"

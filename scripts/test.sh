#!/usr/bin/env bash
# The README's test command: installs what the tests need on a fresh Debian 12 machine with the .NET 10 SDK, runs every
# test once, runs the statistics tests again on each narrower SIMD path, and ends with the line "N passed, N failed"
# counted from the TRX results of every run.
set -uo pipefail
cd "$(dirname "$0")/.."

# Debian packages the tests use: the storage tests start a private PostgreSQL server (initdb + pg_ctl from postgresql);
# the alerting tests compare routing with amtool (prometheus-alertmanager); the chart tests need a font (fonts-dejavu-core);
# the page tests drive headless chromium; nodejs and npm run Azurite (below).
source scripts/lib/debian-packages.sh
install_missing ca-certificates postgresql prometheus-alertmanager prometheus fonts-dejavu-core chromium
# A machine with Node.js from elsewhere (e.g. NodeSource, which bundles npm) keeps it: Debian's npm would conflict.
command -v npm >/dev/null || install_missing nodejs npm

# Azurite (Microsoft's Azure Storage emulator, npm) for the cluster tests' Azure Table membership and reminders:
# installed once into a cache directory (scripts/lib/azurite.sh), skipped when present. The tests find it through
# MONITORING_AZURITE_DIR, or the same default path.
source scripts/lib/azurite.sh
install_azurite || exit 1

results=artifacts/test-results
rm -rf "$results"
mkdir -p "$results"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

status=0
dotnet build Monitoring.sln -c Release -nologo -v q || exit 1

echo "== all tests"
dotnet test Monitoring.sln -c Release --no-build --logger "trx;LogFilePrefix=all" --results-directory "$results/all" || status=1

# The statistics kernels take Vector512 -> Vector256 -> Vector128 -> scalar; force each narrower path once.
for switch in DOTNET_EnableAVX512 DOTNET_EnableAVX2 DOTNET_EnableHWIntrinsic; do
  echo "== statistics tests with $switch=0"
  env "$switch=0" dotnet test tests/Monitoring.Stats.Tests -c Release --no-build \
    --logger "trx;LogFilePrefix=$switch" --results-directory "$results/$switch" || status=1
done

passed=0; failed=0
while IFS= read -r -d '' trx; do
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
done < <(find "$results" -name '*.trx' -print0)
[ "$passed" -eq 0 ] && status=1
echo "$passed passed, $failed failed"
exit $status

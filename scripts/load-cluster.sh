#!/usr/bin/env bash
# Issue 10's figures: throughput with 1, 2 and 3 silos (docs/load.md, "Cluster: 1, 2 and 3 silos"). Installs what it
# needs on a fresh Debian 12 machine with the .NET 10 SDK (postgresql for a private initdb/pg_ctl server; nodejs + npm
# and Azurite for the membership table; only what is missing), builds the load generator and the silo in Release, and
# runs the cluster scenario. Extra arguments go to the load generator, e.g.
#   scripts/load-cluster.sh                                   # SQLite + PostgreSQL single silo, clusters of 1, 2, 3, PostgreSQL alone
#   scripts/load-cluster.sh --silos 1,3 --cluster-rounds 2 --quiet-wait 0
# As root the PostgreSQL server runs as the postgres user (runuser), as the tests do. Results: artifacts/loadtest/cluster.json (+ .md).
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/lib/debian-packages.sh
source scripts/lib/azurite.sh
install_missing ca-certificates postgresql
# A machine with Node.js from elsewhere (e.g. NodeSource, which bundles npm) keeps it: Debian's npm would conflict.
command -v npm >/dev/null || install_missing nodejs npm
install_azurite

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build tests/Monitoring.LoadTest -c Release -nologo -v q
dotnet tests/Monitoring.LoadTest/bin/Release/net10.0/Monitoring.LoadTest.dll --scenarios cluster --out artifacts/loadtest/cluster.json "$@"

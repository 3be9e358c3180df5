#!/usr/bin/env bash
# Installs what it needs on a fresh Debian 12 machine with the .NET 10 SDK (apt packages, only those missing), runs the
# BenchmarkDotNet suite (tests/Monitoring.Benchmarks, short 2-core job, ~5 minutes), then the numpy/scipy/sklearn
# comparison with the Debian interpreter, then prints ours vs peer with the targets.
#   scripts/bench.sh                 # everything
#   BENCH_FILTER='*Psi*' scripts/bench.sh
# Results: BenchmarkDotNet.Artifacts/results/ (markdown, CSV, HTML, *-report-full-compressed.json),
#          BenchmarkDotNet.Artifacts/python.json, BenchmarkDotNet.Artifacts/summary.md
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian 12 packages the comparison needs (numpy, scipy, scikit-learn for /usr/bin/python3; lscpu for the machine line;
# postgresql for HotModelBenchmarks' PostgreSQL cases, which start a private server).
# Installed only when missing, with sudo only when not root (as scripts/test.sh does).
source scripts/lib/debian-packages.sh
install_missing python3 python3-numpy python3-scipy python3-sklearn util-linux postgresql
PY=/usr/bin/python3
ARTIFACTS=BenchmarkDotNet.Artifacts
FILTER="${BENCH_FILTER:-*}"

echo "== machine"
lscpu | grep -E 'Model name|^CPU\(s\)|L3' || true
dotnet --version
"$PY" -c 'import numpy, scipy, sklearn; print("numpy", numpy.__version__, "scipy", scipy.__version__, "sklearn", sklearn.__version__)'

rm -rf "$ARTIFACTS/results"
echo "== BenchmarkDotNet ($FILTER)"
dotnet run -c Release --project tests/Monitoring.Benchmarks -- --filter "$FILTER" --artifacts "$ARTIFACTS"

echo "== numpy / scipy / sklearn"
"$PY" tests/Monitoring.Benchmarks/compare_python.py --json "$ARTIFACTS/python.json"

echo "== ours vs peer"
"$PY" scripts/bench_report.py "$ARTIFACTS/results" "$ARTIFACTS/python.json" --markdown "$ARTIFACTS/summary.md"
echo "== ours (median iteration) vs peer"
"$PY" scripts/bench_report.py "$ARTIFACTS/results" "$ARTIFACTS/python.json" --stat median --markdown "$ARTIFACTS/summary-median.md"

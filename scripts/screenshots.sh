#!/usr/bin/env bash
# Screenshots of the main pages for the README (docs/screenshots/*.png), taken with headless chromium from a silo
# running the demo. Starts its own silo (--demo, fresh data directory, API on port 18080 unless API_PORT is set) and
# waits until the demo's drift has raised a FeatureDrift incident (about 5-6 minutes), or uses an already running one:
#   bash scripts/screenshots.sh                    # starts the demo silo, ~6 minutes
#   bash scripts/screenshots.sh http://127.0.0.1:8080   # a silo already running the demo
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/debian-packages.sh
install_missing chromium fonts-dejavu-core jq curl

out=docs/screenshots
mkdir -p "$out"
base=${1:-}
pid=""
if [ -z "$base" ]; then
  port=${API_PORT:-18080}
  data=$(mktemp -d)
  dotnet build src/Monitoring.Silo -c Release -nologo -v q
  dotnet src/Monitoring.Silo/bin/Release/net10.0/Monitoring.Silo.dll --demo \
    --Monitoring:Host:DataDirectory="$data" --Monitoring:Host:ApiPort="$port" \
    --Monitoring:Host:OtlpGrpcPort=$((port + 1)) --Monitoring:Host:OtlpHttpPort=$((port + 2)) \
    --Monitoring:Host:SiloPort=$((port + 3)) --Monitoring:Host:GatewayPort=$((port + 4)) >"$data/silo.log" 2>&1 &
  pid=$!
  trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$data"' EXIT
  base="http://127.0.0.1:$port"
fi

# Wait (deadline 12 minutes) for the demo's drift to raise a FeatureDrift incident on credit-risk.
deadline=$((SECONDS + 720))
incident=""
until incident=$(curl -sf "$base/api/incidents" | jq -r '[.[] | select(.alert == "FeatureDrift")][0].id // empty') && [ -n "$incident" ]; do
  [ $SECONDS -lt $deadline ] || { echo "no FeatureDrift incident after 12 minutes" >&2; exit 1; }
  sleep 10
done
window=$(curl -sf "$base/api/models/default/credit-risk/windows" | jq -r '[.[] | select(.drifted_features | length > 0)][-1].window_start')

sandbox=(); [ "$(id -u)" -eq 0 ] && sandbox=(--no-sandbox)
shot() { # name path height
  chromium --headless "${sandbox[@]}" --disable-gpu --hide-scrollbars --window-size=1400,"$3" \
    --screenshot="$out/$1.png" "$base$2" 2>/dev/null
  echo "$out/$1.png <- $2"
}
shot overview / 700
shot model /models/default/credit-risk 2400
shot window "/models/default/credit-risk/windows/$window" 2400
shot slices /models/default/credit-risk/slices 2200
shot incident "/incidents/$incident" 1500

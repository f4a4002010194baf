import assert from 'node:assert/strict'
import {existsSync, readFileSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {addVm, csnet, kernelState, payloadFile, ping, resetHost, sandboxSkip, sh, STATE_DIR, trySh, LOG_FILE} from './helpers.js'

const network = {network_id: '42', vlan: 'vlan://100', gateway: '10.1.1.1', cidr: '10.1.1.0/24', guest_type: 'isolated', zone_id: '1', network_state: 'implementing'}

describe('network lifecycle on real kernel state', {skip: sandboxSkip}, () => {
  before(() => {
    resetHost()
    addVm('100', 'vm1', '10.1.1.10/24', '10.1.1.1')
  })
  after(resetHost)

  it('implement-network builds namespace, bridge, veths, gateway address, forwarding and chains, printing nothing', () => {
    const run = csnet(['implement-network', payloadFile(network), '60'])
    assert.equal(run.stderr, '')
    assert.equal(run.stdout, '')
    assert.equal(run.status, 0)

    assert.ok(existsSync('/run/netns/cs-net-42'))
    const bridge = JSON.parse(sh('ip', '-json', '-d', 'link', 'show', 'breth1-100'))[0]
    assert.equal(bridge.linkinfo.info_kind, 'bridge')
    const vlanDevice = JSON.parse(sh('ip', '-json', 'link', 'show', 'eth1.100'))[0]
    assert.equal(vlanDevice.master, 'breth1-100')
    const hostEnd = JSON.parse(sh('ip', '-json', 'link', 'show', 'vh-100-42'))[0]
    assert.equal(hostEnd.master, 'breth1-100')
    assert.ok(hostEnd.flags.includes('UP'))
    const addresses = JSON.parse(sh('ip', '-n', 'cs-net-42', '-json', 'addr', 'show', 'vn-100-42'))[0].addr_info
    assert.ok(addresses.some((a: {local: string; prefixlen: number}) => a.local === '10.1.1.1' && a.prefixlen === 24))
    assert.equal(sh('ip', 'netns', 'exec', 'cs-net-42', 'sysctl', '-n', 'net.ipv4.ip_forward').trim(), '1')
    assert.equal(sh('ip', 'netns', 'exec', 'cs-net-42', 'sysctl', '-n', 'net.ipv4.conf.vn-100-42.rp_filter').trim(), '1')
    assert.equal(sh('ip', 'netns', 'exec', 'cs-net-42', 'sysctl', '-n', 'net.ipv4.conf.default.rp_filter').trim(), '1')

    const save = sh('ip', 'netns', 'exec', 'cs-net-42', 'iptables-save')
    for (const chain of ['CS_EXTNET_42_PR', 'CS_EXTNET_42_POST', 'CS_EXTNET_FWD_42', 'CS_EXTNET_FORWARD']) assert.match(save, new RegExp(`^:${chain} `, 'm'))
    assert.match(save, /^-A FORWARD -j CS_EXTNET_FORWARD$/m)
    assert.match(save, /^-A PREROUTING -j CS_EXTNET_PREROUTING$/m)

    for (const [file, value] of [['vlan', '100'], ['gateway', '10.1.1.1'], ['cidr', '10.1.1.0/24'], ['extension-ip', '10.1.1.1'], ['namespace', 'cs-net-42']]) {
      assert.equal(readFileSync(join(STATE_DIR, 'network-42', file!), 'utf8'), `${value}\n`, file)
    }
  })

  it('a VM on the guest VLAN pings its gateway', () => {
    assert.ok(ping('vm1', '10.1.1.1'))
  })

  it('implementing again changes nothing (ruleset without counters, addresses)', () => {
    const before = kernelState('cs-net-42')
    const run = csnet(['implement-network', payloadFile(network), '60'])
    assert.equal(run.status, 0, run.stderr)
    assert.equal(kernelState('cs-net-42'), before)
  })

  it('a forced second apply (no memo of the first) also changes nothing', () => {
    const before = kernelState('cs-net-42')
    rmSync(join(STATE_DIR, 'network-42', 'csnet-ruleset.json'))
    assert.equal(csnet(['implement-network', payloadFile(network), '60']).status, 0)
    assert.equal(kernelState('cs-net-42'), before)
    assert.ok(existsSync(join(STATE_DIR, 'network-42', 'csnet-ruleset.json')))
  })

  it('re-applies the ruleset when a rule was removed by hand', () => {
    const before = kernelState('cs-net-42')
    sh('ip', 'netns', 'exec', 'cs-net-42', 'iptables', '-D', 'CS_EXTNET_FORWARD', '-j', 'DROP')
    assert.notEqual(kernelState('cs-net-42'), before)
    assert.equal(csnet(['implement-network', payloadFile(network), '60']).status, 0)
    assert.equal(kernelState('cs-net-42'), before)
  })

  it('repairs a network whose guest veth was deleted behind its back', () => {
    sh('ip', 'link', 'del', 'vh-100-42')
    assert.ok(!ping('vm1', '10.1.1.1'))
    assert.equal(csnet(['implement-network', payloadFile(network), '60']).status, 0)
    assert.ok(ping('vm1', '10.1.1.1'))
  })

  it('a router on the public side that routes the guest CIDR at the namespace cannot reach the VM; the VM reaches it', () => {
    // Stand-in for a public veth: the nat plugin creates these; the core's isolation must hold regardless.
    sh('ip', 'netns', 'add', 'router')
    sh('ip', 'link', 'add', 'vpn-101-42', 'netns', 'cs-net-42', 'type', 'veth', 'peer', 'name', 'up0', 'netns', 'router')
    sh('ip', '-n', 'cs-net-42', 'addr', 'add', '203.0.113.5/24', 'dev', 'vpn-101-42')
    sh('ip', '-n', 'cs-net-42', 'link', 'set', 'vpn-101-42', 'up')
    sh('ip', '-n', 'router', 'addr', 'add', '203.0.113.1/24', 'dev', 'up0')
    sh('ip', '-n', 'router', 'link', 'set', 'up0', 'up')
    sh('ip', '-n', 'router', 'route', 'add', '10.1.1.0/24', 'via', '203.0.113.5')
    try {
      assert.ok(ping('vm1', '203.0.113.1'), 'guest to public is forwarded')
      assert.ok(!ping('router', '10.1.1.10'), 'public to guest without DNAT is dropped')
    } finally {
      trySh('ip', 'netns', 'del', 'router')
    }
  })

  it('shutdown-network removes what it owns, keeps the operator\'s devices and the state', () => {
    const run = csnet(['shutdown-network', payloadFile({...network, network_state: 'shutdown'}), '60'])
    assert.equal(run.status, 0, run.stderr)
    assert.equal(run.stdout + run.stderr, '')
    assert.ok(!existsSync('/run/netns/cs-net-42'))
    assert.notEqual(trySh('ip', 'link', 'show', 'vh-100-42').status, 0)
    assert.notEqual(trySh('ip', 'link', 'show', 'breth1-100').status, 0, 'bridge csnet created is removed')
    assert.equal(trySh('ip', 'link', 'show', 'eth1.100').status, 0, 'pre-existing VLAN device is kept')
    assert.ok(!existsSync('/etc/netns/cs-net-42'))
    const record = JSON.parse(readFileSync(join(STATE_DIR, 'network-42', 'csnet-network.json'), 'utf8'))
    assert.equal(record.implemented, false)
    assert.equal(readFileSync(join(STATE_DIR, 'network-42', 'vlan'), 'utf8'), '100\n')
  })

  it('shutdown of a network already gone succeeds', () => {
    const run = csnet(['shutdown-network', payloadFile({...network, network_state: 'shutdown'}), '60'])
    assert.equal(run.status, 0, run.stderr)
  })

  it('re-implement restarts from state (no vlan in the payload) and the VM pings again', () => {
    const {vlan: _vlan, ...withoutVlan} = network
    const run = csnet(['implement-network', '--network-id', '42'])
    assert.equal(run.status, 0, run.stderr)
    assert.ok(ping('vm1', '10.1.1.1'))
    assert.ok(withoutVlan)
  })

  it('destroy-network leaves no namespace, chains, devices or state behind', () => {
    const run = csnet(['destroy-network', payloadFile({...network, network_state: 'destroy'}), '60'])
    assert.equal(run.status, 0, run.stderr)
    assert.ok(!existsSync('/run/netns/cs-net-42'))
    assert.ok(!existsSync(join(STATE_DIR, 'network-42')))
    assert.notEqual(trySh('ip', 'link', 'show', 'breth1-100').status, 0)
    assert.equal(trySh('ip', 'link', 'show', 'eth1.100').status, 0)
    assert.equal(csnet(['destroy-network', payloadFile(network), '60']).status, 0, 'destroying twice succeeds')
  })

  it('logs JSON lines to the reference log path', () => {
    const lines = readFileSync(LOG_FILE, 'utf8').trim().split('\n').map((line) => JSON.parse(line))
    assert.ok(lines.some((line) => line.msg === 'network implemented' && line.network === '42'))
  })
})

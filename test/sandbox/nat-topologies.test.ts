import assert from 'node:assert/strict'
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {addRouter, addVm, csnet, payloadFile, probe, resetHost, sandboxSkip, serve, sh, STATE_DIR, stopServers, trySh} from './helpers.js'

const ok = (args: string[]) => {
  const run = csnet(args)
  assert.equal(run.status, 0, run.stderr)
}

describe('a public IP on a second public VLAN', {skip: sandboxSkip}, () => {
  const network = {network_id: '44', vlan: '140', gateway: '10.4.4.1', cidr: '10.4.4.0/24', guest_type: 'isolated'}
  before(async () => {
    resetHost()
    addVm('140', 'vm44', '10.4.4.10/24', '10.4.4.1')
    addRouter('routerA', '141', '203.0.113.1/24')
    addRouter('routerB', '142', '198.51.100.1/24')
    ok(['implement-network', payloadFile(network), '60'])
    await serve('vm44', 'tcp', '10.4.4.10', 22)
  })
  after(() => {
    stopServers()
    resetHost()
  })

  it('replies to flows that came in on the second VLAN leave through its own veth (policy routing)', () => {
    ok(['assign-ip', payloadFile({...network, public_ip: '203.0.113.44', public_vlan: '141', public_gateway: '203.0.113.1', public_cidr: '203.0.113.0/24', source_nat: 'true'}), '60'])
    ok(['assign-ip', payloadFile({...network, public_ip: '198.51.100.44', public_vlan: '142', public_gateway: '198.51.100.1', public_cidr: '198.51.100.0/24', source_nat: 'false'}), '60'])
    ok(['add-port-forward', payloadFile({...network, public_ip: '198.51.100.44', public_port: '2244', private_ip: '10.4.4.10', private_port: '22', protocol: 'tcp'}), '60'])
    // A client behind router B (not on the public subnet): only policy routing sends the replies back to B.
    sh('ip', '-n', 'routerB', 'addr', 'add', '192.0.2.50/32', 'dev', 'lo')
    sh('ip', '-n', 'routerB', 'link', 'set', 'lo', 'up')
    assert.equal(probe('routerB', 'tcp', '198.51.100.44', 2244, '192.0.2.50'), 'hello 192.0.2.50')
    const route = JSON.parse(sh('ip', '-n', 'cs-net-44', '-json', 'route', 'show', 'default'))[0]
    assert.equal(route.dev, 'vpn-141-44', 'the default route stays with the source-NAT IP')
    assert.match(sh('ip', '-n', 'cs-net-44', 'rule', 'show'), /from 198\.51\.100\.44 lookup 10142/)
  })

  it('static NAT on the second VLAN: the VM leaves through it as that IP', async () => {
    await serve('routerB', 'tcp', '198.51.100.1', 8000)
    ok(['add-static-nat', payloadFile({...network, public_ip: '198.51.100.44', private_ip: '10.4.4.10'}), '60'])
    assert.equal(probe('vm44', 'tcp', '198.51.100.1', 8000), 'hello 198.51.100.44')
  })

  it('releasing the second VLAN\'s IP removes its rules and table', () => {
    ok(['release-ip', payloadFile({...network, public_ip: '198.51.100.44', public_vlan: '142'}), '60'])
    assert.doesNotMatch(sh('ip', '-n', 'cs-net-44', 'rule', 'show'), /10142/)
    assert.equal(sh('ip', '-n', 'cs-net-44', 'route', 'show', 'table', 'all').includes('table 10142'), false)
    assert.notEqual(trySh('ip', 'link', 'show', 'vph-142-44').status, 0)
  })

  it('shutdown-network drops the network\'s NAT: public veth and bridge go', () => {
    ok(['shutdown-network', payloadFile(network), '60'])
    assert.notEqual(trySh('ip', 'link', 'show', 'vph-141-44').status, 0)
    assert.notEqual(trySh('ip', 'link', 'show', 'breth1-141').status, 0)
    assert.ok(!existsSync(join(STATE_DIR, 'network-44', 'ips', '203.0.113.44')))
  })
})

describe('VPC tiers and NAT', {skip: sandboxSkip}, () => {
  const tier = (id: string, vlan: string, third: string) => ({
    network_id: id, vpc_id: '9', vlan, gateway: `10.9.${third}.1`, cidr: `10.9.${third}.0/24`, guest_type: 'isolated',
  })
  const pub = (ip: string) => ({public_ip: ip, public_vlan: '191', public_gateway: '203.0.113.1', public_cidr: '203.0.113.0/24'})
  before(async () => {
    resetHost()
    addVm('901', 'vmA', '10.9.1.10/24', '10.9.1.1')
    addVm('902', 'vmB', '10.9.2.10/24', '10.9.2.1')
    addRouter('routerV', '191', '203.0.113.1/24')
    ok(['implement-network', payloadFile(tier('91', '901', '1')), '60'])
    ok(['implement-network', payloadFile(tier('92', '902', '2')), '60'])
    await serve('vmA', 'tcp', '10.9.1.10', 22)
    await serve('vmB', 'tcp', '10.9.2.10', 22)
  })
  after(() => {
    stopServers()
    resetHost()
  })

  it('each tier forwards through the shared VPC public veth; state is VPC-owned with tier references', () => {
    ok(['assign-ip', payloadFile({...tier('91', '901', '1'), ...pub('203.0.113.91'), source_nat: 'true'}), '60'])
    ok(['assign-ip', payloadFile({...tier('92', '902', '2'), ...pub('203.0.113.92')}), '60'])
    ok(['add-port-forward', payloadFile({...tier('91', '901', '1'), ...pub('203.0.113.91'), public_port: '22', private_ip: '10.9.1.10', private_port: '22'}), '60'])
    ok(['add-port-forward', payloadFile({...tier('92', '902', '2'), ...pub('203.0.113.92'), public_port: '22', private_ip: '10.9.2.10', private_port: '22'}), '60'])
    assert.equal(probe('routerV', 'tcp', '203.0.113.91', 22), 'hello 203.0.113.1')
    assert.equal(probe('routerV', 'tcp', '203.0.113.92', 22), 'hello 203.0.113.1')
    assert.equal(readFileSync(join(STATE_DIR, 'vpc-9', 'ips', '203.0.113.92.tier'), 'utf8'), '92\n')
    assert.equal(readFileSync(join(STATE_DIR, 'vpc-9', 'ips', '203.0.113.91'), 'utf8'), 'true\n', 'source_nat recorded')
    assert.doesNotMatch(sh('ip', 'netns', 'exec', 'cs-vpc-9', 'iptables-save', '-t', 'nat'), /-s 10\.9\.1\.0\/24 .*-j SNAT/, 'tier source NAT is the VPC\'s, not routed here')
  })

  it('destroying one tier removes only its rules and IPs; the other tier keeps forwarding through the shared veth', () => {
    ok(['destroy-network', payloadFile(tier('91', '901', '1')), '60'])
    assert.equal(probe('routerV', 'tcp', '203.0.113.92', 22), 'hello 203.0.113.1')
    assert.equal(probe('routerV', 'tcp', '203.0.113.91', 22), undefined)
    assert.equal(trySh('ip', 'link', 'show', 'vph-191-9').status, 0)
    assert.ok(!existsSync(join(STATE_DIR, 'vpc-9', 'ips', '203.0.113.91')))
    assert.doesNotMatch(sh('ip', 'netns', 'exec', 'cs-vpc-9', 'iptables-save'), /203\.0\.113\.91|CS_EXTNET_91_/)
  })
})

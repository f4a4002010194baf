import assert from 'node:assert/strict'
import {existsSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {addRouter, addVm, csnet, holdConnection, payloadFile, probe, resetHost, sandboxSkip, serve, sh, STATE_DIR, stopServers, trySh} from './helpers.js'

const network = {network_id: '42', vlan: '100', gateway: '10.1.1.1', cidr: '10.1.1.0/24', guest_type: 'isolated'}
const publicIp = (ip: string, extra: Record<string, unknown> = {}) => ({
  ...network, public_ip: ip, public_vlan: 'vlan://101', public_gateway: '203.0.113.1', public_cidr: '203.0.113.0/24', source_nat: 'false', ...extra,
})
const ok = (args: string[]) => {
  const run = csnet(args)
  assert.equal(run.status, 0, run.stderr)
  assert.equal(run.stdout + run.stderr, '', 'nothing printed on success')
}
const save = (table: string) => sh('ip', 'netns', 'exec', 'cs-net-42', 'iptables-save', '-t', table)
const NAT_STATE = join(STATE_DIR, 'network-42')

describe('nat plugin with real packets', {skip: sandboxSkip}, () => {
  before(async () => {
    resetHost()
    addVm('100', 'vm1', '10.1.1.10/24', '10.1.1.1')
    // The upstream router sits behind the public VLAN 101 stand-in, holding the public gateway address.
    addRouter('router', '101', '203.0.113.1/24')
    ok(['implement-network', payloadFile(network), '60'])
    await serve('router', 'tcp', '203.0.113.1', 8000)
    await serve('router', 'udp', '203.0.113.1', 8001)
    await serve('vm1', 'tcp', '10.1.1.10', 22)
    await serve('vm1', 'tcp', '10.1.1.10', 9081)
    await serve('vm1', 'udp', '10.1.1.10', 5001)
  })
  after(() => {
    stopServers()
    resetHost()
  })

  it('source NAT: the VM reaches the upstream router as the source-NAT IP', () => {
    ok(['assign-ip', payloadFile(publicIp('203.0.113.10', {source_nat: 'true'})), '60'])
    assert.equal(probe('vm1', 'tcp', '203.0.113.1', 8000), 'hello 203.0.113.10')
    assert.equal(probe('vm1', 'udp', '203.0.113.1', 8001), 'udp 203.0.113.10')
    const route = JSON.parse(sh('ip', '-n', 'cs-net-42', '-json', 'route', 'show', 'default'))[0]
    assert.equal(route.gateway, '203.0.113.1')
    assert.equal(route.dev, 'vpn-101-42')
    assert.equal(trySh('ip', 'route', 'get', '203.0.113.10').stdout.includes('dev vph-101-42'), true, 'host route through the public veth')
    for (const [file, value] of [['203.0.113.10', 'true'], ['203.0.113.10.pvlan', '101'], ['203.0.113.10.tier', '42']]) {
      assert.equal(sh('cat', join(NAT_STATE, 'ips', file!)).trim(), value)
    }
  })

  it('assign-ip announces the new IP with gratuitous ARP (arping)', async () => {
    sh('ip', 'netns', 'exec', 'router', 'sysctl', '-q', '-w', 'net.ipv4.conf.up0.arp_accept=1')
    ok(['assign-ip', payloadFile(publicIp('203.0.113.12')), '60'])
    const mac = JSON.parse(sh('ip', '-n', 'cs-net-42', '-json', 'link', 'show', 'vpn-101-42'))[0].address
    let entry = ''
    for (let i = 0; i < 30 && !entry.includes(mac); i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      entry = sh('ip', '-n', 'router', 'neigh', 'show', '203.0.113.12')
    }
    assert.match(entry, new RegExp(`lladdr ${mac}`), 'the router learned the IP without sending anything')
    ok(['release-ip', payloadFile(publicIp('203.0.113.12')), '60'])
  })

  it('without a forward the router cannot reach the VM through the public IP', () => {
    assert.equal(probe('router', 'tcp', '203.0.113.10', 22), undefined)
  })

  it('port forwarding: a single port, a range and UDP reach the VM', () => {
    ok(['add-port-forward', payloadFile({...publicIp('203.0.113.10'), public_port: '2222', private_ip: '10.1.1.10', private_port: '22', protocol: 'TCP'}), '60'])
    assert.equal(probe('router', 'tcp', '203.0.113.10', 2222), 'hello 203.0.113.1')
    ok(['add-port-forward', payloadFile({...publicIp('203.0.113.10'), public_port: '8080-8082', private_ip: '10.1.1.10', private_port: '9080:9082', protocol: 'tcp'}), '60'])
    assert.equal(probe('router', 'tcp', '203.0.113.10', 8081), 'hello 203.0.113.1', '8081 lands on 9081')
    ok(['add-port-forward', payloadFile({...publicIp('203.0.113.10'), public_port: '5000', private_ip: '10.1.1.10', private_port: '5001', protocol: 'udp'}), '60'])
    assert.equal(probe('router', 'udp', '203.0.113.10', 5000), 'udp 203.0.113.1')
  })

  it('adding the same forward twice leaves one rule', () => {
    const before = save('nat')
    ok(['add-port-forward', payloadFile({...publicIp('203.0.113.10'), public_port: '2222', private_ip: '10.1.1.10', private_port: '22', protocol: 'tcp'}), '60'])
    assert.equal(save('nat').match(/--dport 2222 /g)?.length, 1)
    assert.equal(save('nat').replace(/^#.*$/gm, ''), before.replace(/^#.*$/gm, ''))
  })

  it('deleting a forward stops new traffic, cuts the established connection, and leaves no rule or state', async () => {
    const held = holdConnection('router', '203.0.113.10', 2222)
    assert.equal(await held.greeting(), 'hello 203.0.113.1')
    assert.equal(await held.echo('before'), 'before')
    ok(['delete-port-forward', payloadFile({...publicIp('203.0.113.10'), public_port: '2222', private_ip: '10.1.1.10', private_port: '22', protocol: 'tcp'}), '60'])
    assert.equal(await held.echo('after'), 'DEAD')
    held.close()
    assert.equal(probe('router', 'tcp', '203.0.113.10', 2222), undefined)
    assert.doesNotMatch(save('nat'), /--dport 2222 /)
    assert.ok(!readdirSync(join(NAT_STATE, 'port-forward')).some((name) => name.startsWith('tcp_203.0.113.10_2222')))
    ok(['delete-port-forward', payloadFile({...publicIp('203.0.113.10'), public_port: '2222', private_ip: '10.1.1.10', private_port: '22', protocol: 'tcp'}), '60'])
  })

  it('static NAT: inbound reaches the VM, and its outbound leaves as its own IP (before the source-NAT rule)', () => {
    ok(['assign-ip', payloadFile(publicIp('203.0.113.11')), '60'])
    ok(['add-static-nat', payloadFile({...publicIp('203.0.113.11'), private_ip: '10.1.1.10'}), '60'])
    assert.equal(probe('router', 'tcp', '203.0.113.11', 22), 'hello 203.0.113.1')
    assert.equal(probe('vm1', 'tcp', '203.0.113.1', 8000), 'hello 203.0.113.11')
    const route = JSON.parse(sh('ip', '-n', 'cs-net-42', '-json', 'route', 'show', 'default'))[0]
    assert.equal(route.gateway, '203.0.113.1', 'another assign-ip kept the source-NAT default route')
  })

  it('delete-static-nat: traffic stops, the VM leaves as the source-NAT IP again, and a second delete succeeds', () => {
    ok(['delete-static-nat', payloadFile({...publicIp('203.0.113.11'), private_ip: '10.1.1.10'}), '60'])
    assert.equal(probe('router', 'tcp', '203.0.113.11', 22), undefined)
    assert.equal(probe('vm1', 'tcp', '203.0.113.1', 8000), 'hello 203.0.113.10')
    assert.ok(!existsSync(join(NAT_STATE, 'static-nat', '203.0.113.11')))
    ok(['delete-static-nat', payloadFile({...publicIp('203.0.113.11'), private_ip: '10.1.1.10'}), '60'])
  })

  it('release-ip removes exactly that IP: address, host route, rules, state; the other IP keeps working', () => {
    ok(['add-port-forward', payloadFile({...publicIp('203.0.113.11'), public_port: '2200', private_ip: '10.1.1.10', private_port: '22'}), '60'])
    ok(['release-ip', payloadFile(publicIp('203.0.113.11')), '60'])
    const addresses = sh('ip', '-n', 'cs-net-42', '-br', 'addr', 'show', 'vpn-101-42')
    assert.doesNotMatch(addresses, /203\.0\.113\.11\//)
    assert.match(addresses, /203\.0\.113\.10\/24/)
    assert.doesNotMatch(sh('ip', 'route', 'show'), /203\.0\.113\.11 /)
    assert.doesNotMatch(save('nat'), /203\.0\.113\.11/)
    assert.ok(!existsSync(join(NAT_STATE, 'ips', '203.0.113.11')))
    assert.ok(!readdirSync(join(NAT_STATE, 'port-forward')).some((name) => name.includes('203.0.113.11')))
    assert.equal(probe('router', 'tcp', '203.0.113.10', 8081), 'hello 203.0.113.1')
    ok(['release-ip', payloadFile(publicIp('203.0.113.11')), '60'])
  })

  it('releasing the last IP removes the public veth, its default route and the public bridge csnet made', () => {
    ok(['release-ip', payloadFile(publicIp('203.0.113.10')), '60'])
    assert.notEqual(trySh('ip', 'link', 'show', 'vph-101-42').status, 0)
    assert.equal(sh('ip', '-n', 'cs-net-42', 'route', 'show', 'default').trim(), '')
    assert.notEqual(trySh('ip', 'link', 'show', 'breth1-101').status, 0)
    assert.equal(trySh('ip', 'link', 'show', 'eth1.101').status, 0, 'the stand-in VLAN device is not ours and stays')
    assert.doesNotMatch(save('nat'), /203\.0\.113/)
  })

  it('bad input: a port forward with mismatched ranges or ICMP is refused with one line, nothing changed', () => {
    const before = save('nat')
    const ranges = csnet(['add-port-forward', payloadFile({...publicIp('203.0.113.10'), public_port: '80-90', private_ip: '10.1.1.10', private_port: '80-85'}), '60'])
    assert.equal(ranges.status, 1)
    assert.match(ranges.stderr, /same size/)
    const icmp = csnet(['add-port-forward', payloadFile({...publicIp('203.0.113.10'), public_port: '80', private_ip: '10.1.1.10', private_port: '80', protocol: 'icmp'}), '60'])
    assert.match(icmp.stderr, /must be tcp or udp/)
    const badIp = csnet(['assign-ip', payloadFile(publicIp('203.0.113.300')), '60'])
    assert.match(badIp.stderr, /field "public_ip" must be an IPv4 address/)
    const steady = (text: string) => text.replace(/^#.*$/gm, '')
    assert.equal(steady(save('nat')), steady(before))
  })

  it('a network that is not implemented here gets a clear error; during teardown it is a no-op', () => {
    const missing = csnet(['assign-ip', payloadFile({...publicIp('203.0.113.10'), network_id: '43'}), '60'])
    assert.equal(missing.status, 1)
    assert.match(missing.stderr, /network 43 is not implemented on this host/)
    ok(['assign-ip', payloadFile({...publicIp('203.0.113.10'), network_id: '43', network_state: 'shutdown'}), '60'])
  })
})

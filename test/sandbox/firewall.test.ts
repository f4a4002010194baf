import assert from 'node:assert/strict'
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {addRouter, addVm, csnet, csnetAsync, holdConnection, payloadFile, probe, resetHost, sandboxSkip, serve, sh, STATE_DIR, stopServers, trySh} from './helpers.js'

const network = {network_id: '42', vlan: '100', gateway: '10.1.1.1', cidr: '10.1.1.0/24', guest_type: 'isolated'}
const pub = {public_ip: '203.0.113.10', public_vlan: '101', public_gateway: '203.0.113.1', public_cidr: '203.0.113.0/24'}
const ok = (args: string[]) => {
  const run = csnet(args)
  assert.equal(run.status, 0, run.stderr)
  assert.equal(run.stdout + run.stderr, '')
}
type Rule = Record<string, unknown>
const ingress = (extra: Rule): Rule => ({type: 'ingress', publicIp: '203.0.113.10', sourceCidrs: ['0.0.0.0/0'], destCidrs: [], ...extra})
const egress = (extra: Rule): Rule => ({type: 'egress', sourceCidrs: [], destCidrs: [], ...extra})
const apply = (rules: Rule[], defaultEgressAllow: unknown = true) =>
  ok(['apply-fw-rules', payloadFile({...network, fw_rules: {default_egress_allow: defaultEgressAllow, cidr: '10.1.1.0/24', rules}}), '60'])
const filterSave = () => sh('ip', 'netns', 'exec', 'cs-net-42', 'iptables-save', '-t', 'filter').replace(/^#.*$/gm, '').replace(/\[\d+:\d+\]/g, '')
const ssh = (id: number, sourceCidrs = ['203.0.113.0/24']) => ingress({id, protocol: 'TCP', portStart: 2222, portEnd: 2222, sourceCidrs})

describe('firewall plugin with real packets', {skip: sandboxSkip}, () => {
  before(async () => {
    resetHost()
    addVm('100', 'vm1', '10.1.1.10/24', '10.1.1.1')
    addRouter('router', '101', '203.0.113.1/24')
    sh('ip', '-n', 'router', 'addr', 'add', '192.0.2.50/32', 'dev', 'lo')
    ok(['implement-network', payloadFile(network), '60'])
    ok(['assign-ip', payloadFile({...network, ...pub, source_nat: 'true'}), '60'])
    for (const [port, target] of [[2222, 22], [2223, 23]]) {
      ok(['add-port-forward', payloadFile({...network, ...pub, public_port: String(port), private_ip: '10.1.1.10', private_port: String(target), protocol: 'tcp'}), '60'])
    }
    await serve('vm1', 'tcp', '10.1.1.10', 22)
    await serve('vm1', 'tcp', '10.1.1.10', 23)
    for (const port of [8000, 8002]) await serve('router', 'tcp', '203.0.113.1', port)
  })
  after(() => {
    stopServers()
    resetHost()
  })

  it('before any apply-fw-rules the network is not firewalled (implement alone never turns it on)', () => {
    assert.equal(probe('router', 'tcp', '203.0.113.10', 2222), 'hello 203.0.113.1')
    assert.doesNotMatch(filterSave(), /CS_EXTNET_FWI_/)
  })

  it('the first rule set, even empty, turns default-deny on for every public IP', () => {
    apply([])
    assert.equal(probe('router', 'tcp', '203.0.113.10', 2222), undefined)
    assert.equal(trySh('ip', 'netns', 'exec', 'router', 'ping', '-c', '1', '-W', '1', '203.0.113.10').status, 1, 'the public IP itself is closed too')
    assert.ok(existsSync(join(STATE_DIR, 'network-42', 'fw-rules.json')))
  })

  it('a rule for the router\'s CIDR on the public port lets it in; other sources and ports stay blocked', () => {
    apply([ssh(1)])
    assert.equal(probe('router', 'tcp', '203.0.113.10', 2222), 'hello 203.0.113.1')
    assert.equal(probe('router', 'tcp', '203.0.113.10', 2222, '192.0.2.50'), undefined, 'another source')
    assert.equal(probe('router', 'tcp', '203.0.113.10', 2223), undefined, 'another port')
  })

  it('ICMP rules by type: echo-request allowed, the public IP answers pings', () => {
    assert.notEqual(trySh('ip', 'netns', 'exec', 'router', 'ping', '-c', '1', '-W', '1', '203.0.113.10').status, 0)
    apply([ssh(1), ingress({id: 2, protocol: 'icmp', icmpType: 8, icmpCode: -1})])
    assert.equal(trySh('ip', 'netns', 'exec', 'router', 'ping', '-c', '1', '-W', '1', '203.0.113.10').status, 0)
    apply([ssh(1), ingress({id: 2, protocol: 'icmp', icmpType: 13, icmpCode: -1})])
    assert.notEqual(trySh('ip', 'netns', 'exec', 'router', 'ping', '-c', '1', '-W', '1', '203.0.113.10').status, 0, 'only timestamp requests allowed now')
  })

  it('egress with default allow: an explicit rule blocks one destination port', () => {
    assert.equal(probe('vm1', 'tcp', '203.0.113.1', 8000), 'hello 203.0.113.10')
    apply([ssh(1), egress({id: 3, protocol: 'tcp', portStart: 8000, portEnd: 8000, destCidrs: ['203.0.113.0/24']})], 'true')
    assert.equal(probe('vm1', 'tcp', '203.0.113.1', 8000), undefined)
    assert.equal(probe('vm1', 'tcp', '203.0.113.1', 8002), 'hello 203.0.113.10')
  })

  it('egress with default deny ("false" as a string means false): only allowed traffic leaves', () => {
    apply([ssh(1), egress({id: 3, protocol: 'tcp', portStart: 8000, portEnd: 8001})], 'false')
    assert.equal(probe('vm1', 'tcp', '203.0.113.1', 8000), 'hello 203.0.113.10')
    assert.equal(probe('vm1', 'tcp', '203.0.113.1', 8002), undefined)
  })

  it('applying the same rule set twice changes nothing', () => {
    const rules = [ssh(1), egress({id: 3, protocol: 'tcp', portStart: 8000, portEnd: 8001})]
    apply(rules, false)
    const first = filterSave()
    apply(rules, false)
    assert.equal(filterSave(), first)
  })

  it('allowed traffic keeps flowing while the rule set is replaced again and again', async () => {
    let failures = 0
    let attempts = 0
    let replacing = true
    const prober = (async () => {
      while (replacing) {
        attempts += 1
        if (probe('router', 'tcp', '203.0.113.10', 2222) === undefined) failures += 1
        await new Promise((resolve) => setImmediate(resolve))
      }
    })()
    for (let round = 0; round < 6; round += 1) {
      const rules = [ssh(1), ingress({id: 10 + round, protocol: 'udp', portStart: 5000 + round, portEnd: 5000 + round})]
      const run = await csnetAsync(['apply-fw-rules', payloadFile({...network, fw_rules: {default_egress_allow: true, rules}}), '60'])
      assert.equal(run.status, 0, run.stderr)
    }
    replacing = false
    await prober
    assert.ok(attempts >= 3, `only ${attempts} probes ran`)
    assert.equal(failures, 0, `${failures} of ${attempts} connections failed during replacement`)
  })

  it('a new rule set cuts the flows it forbids by exact tuple, and leaves allowed flows alone', async () => {
    apply([ssh(1)])
    const ingressFlow = holdConnection('router', '203.0.113.10', 2222)
    assert.equal(await ingressFlow.greeting(), 'hello 203.0.113.1')
    const egressFlow = holdConnection('vm1', '203.0.113.1', 8002)
    assert.equal(await egressFlow.greeting(), 'hello 203.0.113.10')
    apply([ingress({id: 4, protocol: 'tcp', portStart: 2223, portEnd: 2223})])
    assert.equal(await ingressFlow.echo('after'), 'DEAD', 'the forward the new set forbids is cut')
    assert.equal(await egressFlow.echo('still'), 'still', 'the VM\'s source-NAT flow survives')
    ingressFlow.close()
    egressFlow.close()
  })

  it('rules for released IPs disappear', () => {
    ok(['assign-ip', payloadFile({...network, ...pub, public_ip: '203.0.113.11'}), '60'])
    apply([ssh(1), ingress({id: 5, publicIp: '203.0.113.11', protocol: 'tcp', portStart: 80, portEnd: 80})])
    assert.match(filterSave(), /CS_EXTNET_FWI_203\.0\.113\.11/)
    ok(['release-ip', payloadFile({...network, ...pub, public_ip: '203.0.113.11'}), '60'])
    assert.doesNotMatch(filterSave(), /203\.0\.113\.11/)
  })

  it('default-deny survives shutdown and re-implement', () => {
    ok(['shutdown-network', payloadFile(network), '60'])
    ok(['implement-network', payloadFile(network), '60'])
    ok(['assign-ip', payloadFile({...network, ...pub, source_nat: 'true'}), '60'])
    for (const [port, target] of [[2222, 22], [2223, 23]]) {
      ok(['add-port-forward', payloadFile({...network, ...pub, public_port: String(port), private_ip: '10.1.1.10', private_port: String(target), protocol: 'tcp'}), '60'])
    }
    assert.match(filterSave(), /CS_EXTNET_FWI_203\.0\.113\.10/)
    assert.equal(probe('router', 'tcp', '203.0.113.10', 2222), 'hello 203.0.113.1', 'the persisted rule for 2222 is in force')
    assert.equal(probe('router', 'tcp', '203.0.113.10', 2223), undefined, 'and default-deny for the rest')
  })

  it('bad rule sets are refused with one line and the rules in force stay', () => {
    const before = filterSave()
    const bad = csnet(['apply-fw-rules', payloadFile({...network, fw_rules: {rules: [ingress({protocol: 'tcp', portStart: 70000})]}}), '60'])
    assert.equal(bad.status, 1)
    assert.match(bad.stderr, /fw_rules\.rules\.0/)
    const noIp = csnet(['apply-fw-rules', payloadFile({...network, fw_rules: {rules: [{type: 'ingress', protocol: 'tcp', sourceCidrs: []}]}}), '60'])
    assert.match(noIp.stderr, /needs publicIp/)
    const garbage = csnet(['apply-fw-rules', payloadFile({...network, fw_rules: '%%%not json%%%'}), '60'])
    assert.match(garbage.stderr, /field "fw_rules" must be JSON or base64-encoded JSON/)
    assert.equal(filterSave(), before)
  })
})

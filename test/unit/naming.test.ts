import assert from 'node:assert/strict'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, it} from 'node:test'

import {InputError} from '../../src/core/errors.js'
import {
  bridgeName, chains, guestVethNames, MAX_CHAIN_NAME, MAX_INTERFACE_NAME, namespaceName, publicVethNames, shortenId, vlanDeviceName,
} from '../../src/naming/names.js'
import {NameRegistry} from '../../src/naming/registry.js'

describe('reference name vectors (reference-host-behaviour.md §14)', () => {
  it('namespaces', () => {
    assert.equal(namespaceName({networkId: '42'}), 'cs-net-42')
    assert.equal(namespaceName({networkId: '7', vpcId: '5'}), 'cs-vpc-5')
  })

  it('guest veths that fit keep the reference name', () => {
    assert.deepEqual(guestVethNames('100', '42'), {host: 'vh-100-42', ns: 'vn-100-42'})
    assert.deepEqual(guestVethNames('1910', '209'), {host: 'vh-1910-209', ns: 'vn-1910-209'})
    assert.deepEqual(guestVethNames('4094', '1234567'), {host: 'vh-4094-1234567', ns: 'vn-4094-1234567'})
    assert.deepEqual(guestVethNames('4094', '8f14e45f-ceea-467a-9575'), {host: 'vh-4094-749355', ns: 'vn-4094-749355'})
  })

  it('replaces the reference truncation with a hashed name that cannot equal a reference-form name', () => {
    const names = guestVethNames('4094', '123456789012')
    assert.notEqual(names.host, 'vh-4094-1cbe991')
    assert.match(names.host, /^vh4094-[0-9a-f]{8}$/)
    assert.equal(names.ns, `vn${names.host.slice(2)}`)
  })

  it('shorten_id', () => {
    const vectors: Record<string, string> = {'42': '2a', '209': 'd1', '123456789': '75bcd15', '010': '8', '0x1f': '1f', 'abc-uuid-1234': '9e232f'}
    for (const [id, short] of Object.entries(vectors)) assert.equal(shortenId(id), short, id)
    assert.equal(shortenId('-5'), 'fffffffffffffffb')
  })

  it('public veths, bridge and VLAN device', () => {
    assert.deepEqual(publicVethNames('101', '209'), {host: 'vph-101-209', ns: 'vpn-101-209'})
    assert.equal(bridgeName('eth1', '1910'), 'breth1-1910')
    assert.equal(vlanDeviceName('eth1', '1910'), 'eth1.1910')
    assert.equal(vlanDeviceName('eth1', 'untagged'), 'eth1')
  })

  it('chains', () => {
    assert.equal(chains.natPrerouting('209'), 'CS_EXTNET_209_PR')
    assert.equal(chains.natPostrouting('209'), 'CS_EXTNET_209_POST')
    assert.equal(chains.forward('209'), 'CS_EXTNET_FWD_209')
    assert.equal(chains.firewallRules('209'), 'CS_EXTNET_FWRULES_209')
    assert.equal(chains.acl('209'), 'CS_EXTNET_ACL_209')
    assert.equal(chains.firewallIngress('203.0.113.10'), 'CS_EXTNET_FWI_203.0.113.10')
    assert.equal(chains.vpcPostrouting('5'), 'CS_EXTNET_5_VPC_POST')
  })
})

describe('every name fits the kernel and iptables limits', () => {
  const ids = ['1', '42', '209', '1234567', '123456789012', '99999999999999999999', '8f14e45f-ceea-467a-9575', 'abc_def-ghi_jkl-mno_pqr']
  const vlans = ['1', '100', '4094', 'untagged']
  const devices = ['eth1', 'bond0', 'enp129s0f1np1', 'ens3f0np0xyz123']

  it('interfaces ≤ 15 characters, host and namespace ends paired', () => {
    for (const id of ids) for (const tag of vlans) {
      for (const pair of [guestVethNames(tag, id), publicVethNames(tag, id)]) {
        assert.ok(pair.host.length <= MAX_INTERFACE_NAME, pair.host)
        assert.ok(pair.ns.length <= MAX_INTERFACE_NAME, pair.ns)
      }
    }
    for (const device of devices) for (const tag of vlans) {
      assert.ok(bridgeName(device, tag).length <= MAX_INTERFACE_NAME, bridgeName(device, tag))
      assert.ok(vlanDeviceName(device, tag).length <= MAX_INTERFACE_NAME, vlanDeviceName(device, tag))
    }
  })

  it('chains ≤ 28 characters, including 15-character IPv4 addresses', () => {
    for (const id of ids) {
      for (const make of [chains.natPrerouting, chains.natPostrouting, chains.forward, chains.firewallRules, chains.acl, chains.vpcPostrouting]) {
        assert.ok(make(id).length <= MAX_CHAIN_NAME, make(id))
      }
    }
    assert.ok(chains.firewallIngress('100.100.100.100').length <= MAX_CHAIN_NAME)
  })

  it('distinct networks get distinct names across a realistic id range', () => {
    const seen = new Map<string, string>()
    for (let id = 1; id <= 20000; id += 1) {
      for (const tag of ['100', '4094']) {
        const name = guestVethNames(tag, String(id * 7919)).host
        const key = `${tag}/${id * 7919}`
        assert.equal(seen.get(name) ?? key, key, `${name} collides`)
        seen.set(name, key)
      }
    }
  })
})

describe('name registry', () => {
  it('refuses a name already claimed by another owner, allows the same owner again', () => {
    const registry = new NameRegistry(mkdtempSync(join(tmpdir(), 'csnet-names-')))
    registry.claim('vh4094-0badf00d', 'network-1')
    registry.claim('vh4094-0badf00d', 'network-1')
    assert.throws(() => registry.claim('vh4094-0badf00d', 'network-2'), (error: Error) => error instanceof InputError && /already used by network-1/.test(error.message))
    registry.release('vh4094-0badf00d', 'network-2')
    assert.equal(registry.owner('vh4094-0badf00d'), 'network-1')
    registry.release('vh4094-0badf00d', 'network-1')
    registry.claim('vh4094-0badf00d', 'network-2')
    assert.equal(registry.owner('vh4094-0badf00d'), 'network-2')
  })
})

import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {coreRules} from '../../src/ruleset/core-rules.js'
import {renderRuleset, RulesetError} from '../../src/ruleset/render.js'
import {parseSave} from '../../src/ruleset/save.js'
import type {RulesetSnapshot, SourcedContribution} from '../../src/ruleset/types.js'
import type {NetworkRecord} from '../../src/state/store.js'

const empty = parseSave('')

function network(id: string, vlan: string, extra: Partial<NetworkRecord> = {}): NetworkRecord {
  return {
    format: 1, networkId: id, guestType: 'isolated', vlan, guestDevice: 'eth1', publicDevice: 'eth1', namespace: `cs-net-${id}`,
    names: {vethHost: `vh-${vlan}-${id}`, vethNs: `vn-${vlan}-${id}`, bridge: `breth1-${vlan}`, vlanDevice: `eth1.${vlan}`},
    implemented: true, ...extra,
  }
}

function snapshot(networks: NetworkRecord[]): RulesetSnapshot {
  return {namespace: 'cs-net-42', scope: {kind: 'network', id: '42'}, stateDir: '/x', scopeDir: '/x/network-42', networks, networkDirs: {}}
}

const sourced = (plugin: string, c: Omit<SourcedContribution, 'plugin'>): SourcedContribution => ({plugin, ...c})

describe('ruleset rendering', () => {
  it('orders rules by priority, then plugin name, whatever order hooks answered in', () => {
    const contributions = [
      sourced('zeta', {table: 'filter', chain: 'CS_EXTNET_FORWARD', priority: 200, rules: [['-j', 'ACCEPT', '-m', 'comment', '--comment', 'zeta']]}),
      sourced('alpha', {table: 'filter', chain: 'CS_EXTNET_FORWARD', priority: 200, rules: [['-j', 'ACCEPT', '-m', 'comment', '--comment', 'alpha two']]}),
      sourced('csnet', {table: 'filter', chain: 'CS_EXTNET_FORWARD', priority: 0, rules: [['-m', 'conntrack', '--ctstate', 'INVALID', '-j', 'DROP']]}),
    ]
    const [filter] = renderRuleset(contributions, empty)
    const rules = filter!.document.split('\n').filter((line) => line.startsWith('-A'))
    assert.deepEqual(rules, [
      '-A CS_EXTNET_FORWARD -m conntrack --ctstate INVALID -j DROP',
      '-A CS_EXTNET_FORWARD -j ACCEPT -m comment --comment "alpha two"',
      '-A CS_EXTNET_FORWARD -j ACCEPT -m comment --comment zeta',
    ])
    assert.deepEqual(renderRuleset([...contributions].reverse(), empty), renderRuleset(contributions, empty))
  })

  it('declares every owned chain (flush + refill in one transaction) and hooks dispatchers once', () => {
    const tables = renderRuleset(coreRules(snapshot([network('42', '100')])).map((c) => ({...c, plugin: 'csnet'})), empty)
    assert.deepEqual(tables.map((t) => t.table), ['nat', 'filter'])
    const filter = tables.find((t) => t.table === 'filter')!.document
    assert.match(filter, /^\*filter\n:CS_EXTNET_FORWARD - \[0:0\]\n:CS_EXTNET_FWD_42 - \[0:0\]\n/)
    assert.match(filter, /-I FORWARD 1 -j CS_EXTNET_FORWARD\n/)
    assert.match(filter, /-A CS_EXTNET_FORWARD -j DROP\n-A CS_EXTNET_FWD_42/)
    assert.match(filter, /-A CS_EXTNET_FWD_42 -o vn-100-42 -m conntrack --ctstate DNAT -j ACCEPT/)
  })

  it('a second render against the applied state keeps the jump and changes nothing else', () => {
    const contributions = coreRules(snapshot([network('42', '100')])).map((c) => ({...c, plugin: 'csnet'}))
    const applied = parseSave(`*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:CS_EXTNET_FORWARD - [0:0]
:CS_EXTNET_FWD_42 - [0:0]
-A FORWARD -j CS_EXTNET_FORWARD
-A CS_EXTNET_FORWARD -j DROP
COMMIT
`)
    const filter = renderRuleset(contributions, applied).find((t) => t.table === 'filter')!.document
    assert.doesNotMatch(filter, /-I FORWARD/)
    assert.doesNotMatch(filter, /-D FORWARD/)
  })

  it('removes chains nobody contributes any more, and stray jumps into our chains (reference-era hooks)', () => {
    const current = parseSave(`*filter
:FORWARD ACCEPT [0:0]
:CS_EXTNET_FWD_42 - [0:0]
:CS_EXTNET_FWRULES_42 - [0:0]
:foreign - [0:0]
-A FORWARD -j CS_EXTNET_FWD_42
-A FORWARD -j CS_EXTNET_FWD_42
-A FORWARD -s 10.0.0.0/8 -j foreign
-A CS_EXTNET_FWD_42 -j CS_EXTNET_FWRULES_42
COMMIT
`)
    const [filter] = renderRuleset([], current)
    assert.equal(filter!.document, `*filter
:CS_EXTNET_FWD_42 - [0:0]
:CS_EXTNET_FWRULES_42 - [0:0]
-D FORWARD -j CS_EXTNET_FWD_42
-D FORWARD -j CS_EXTNET_FWD_42
-X CS_EXTNET_FWD_42
-X CS_EXTNET_FWRULES_42
COMMIT
`)
    assert.doesNotMatch(filter!.document, /foreign/)
  })

  it('keeps tiers apart: each network\'s forward chain is entered only for its own guest interface', () => {
    const two = coreRules(snapshot([network('7', '101'), network('8', '102')])).map((c) => ({...c, plugin: 'csnet'}))
    const filter = renderRuleset(two, empty).find((t) => t.table === 'filter')!.document
    assert.match(filter, /-A CS_EXTNET_FORWARD -i vn-101-7 -j CS_EXTNET_FWD_7\n-A CS_EXTNET_FORWARD -o vn-101-7 -j CS_EXTNET_FWD_7/)
    assert.match(filter, /-A CS_EXTNET_FORWARD -i vn-102-8 -j CS_EXTNET_FWD_8/)
    assert.equal(filter.match(/-A CS_EXTNET_FORWARD -j DROP/g)?.length, 1)
  })

  it('shared networks get no forwarding rules', () => {
    assert.deepEqual(coreRules(snapshot([network('42', '100', {guestType: 'shared'})])), [])
  })

  for (const [name, contribution, pattern] of [
    ['a chain that is not ours', {table: 'filter', chain: 'FORWARD', priority: 1, rules: [['-j', 'ACCEPT']]}, /must be CS_EXTNET_/],
    ['a chain name over 28 characters', {table: 'filter', chain: 'CS_EXTNET_FWRULES_1234567890123', priority: 1, rules: []}, /at most 28/],
    ['a jump to an undeclared chain', {table: 'filter', chain: 'CS_EXTNET_X', priority: 1, rules: [['-j', 'CS_EXTNET_Y']]}, /no contribution declares/],
    ['a chain command in a rule', {table: 'filter', chain: 'CS_EXTNET_X', priority: 1, rules: [['-F', 'INPUT']]}, /chain command/],
    ['a newline in a token', {table: 'filter', chain: 'CS_EXTNET_X', priority: 1, rules: [['-s', '10.0.0.1\n-A', '-j', 'ACCEPT']]}, /unsafe token/],
    ['a space outside a comment', {table: 'filter', chain: 'CS_EXTNET_X', priority: 1, rules: [['-s', '10.0.0.1 -j', 'ACCEPT']]}, /unsafe token/],
  ] as const) {
    it(`refuses ${name}, naming the plugin`, () => {
      assert.throws(() => renderRuleset([sourced('bad-plugin', contribution as unknown as Omit<SourcedContribution, "plugin">)], empty), (error: Error) => {
        assert.ok(error instanceof RulesetError)
        assert.match(error.message, pattern)
        return true
      })
    })
  }
})

import assert from 'node:assert/strict'
import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {addVm, csnet, kernelState, payloadFile, ping, resetHost, sandboxSkip, sh, STATE_DIR, trySh} from './helpers.js'

const network = {network_id: '42', vlan: '100', gateway: '10.1.1.1', cidr: '10.1.1.0/24', guest_type: 'isolated'}

/** What the bash wrapper leaves on a host for network 42 (reference-host-behaviour.md §3.1, §2.8). */
function referenceHost(): void {
  sh('ip', 'netns', 'add', 'cs-net-42')
  sh('ip', '-n', 'cs-net-42', 'link', 'set', 'lo', 'up')
  sh('ip', 'link', 'add', 'breth1-100', 'type', 'bridge')
  sh('ip', 'link', 'set', 'breth1-100', 'up')
  sh('ip', 'link', 'set', 'eth1.100', 'master', 'breth1-100')
  sh('ip', 'link', 'set', 'eth1.100', 'up')
  sh('ip', 'link', 'add', 'vh-100-42', 'type', 'veth', 'peer', 'name', 'vn-100-42', 'netns', 'cs-net-42')
  sh('ip', 'link', 'set', 'vh-100-42', 'master', 'breth1-100')
  sh('ip', 'link', 'set', 'vh-100-42', 'up')
  sh('ip', '-n', 'cs-net-42', 'link', 'set', 'vn-100-42', 'up')
  sh('ip', '-n', 'cs-net-42', 'addr', 'add', '10.1.1.1/24', 'dev', 'vn-100-42')
  const restore = ['*nat', ':CS_EXTNET_42_PR - [0:0]', ':CS_EXTNET_42_POST - [0:0]', '-I PREROUTING 1 -j CS_EXTNET_42_PR', '-I POSTROUTING 1 -j CS_EXTNET_42_POST', 'COMMIT',
    '*filter', ':CS_EXTNET_FWD_42 - [0:0]', '-I FORWARD 1 -j CS_EXTNET_FWD_42', '-A CS_EXTNET_FWD_42 -i vn-100-42 -j ACCEPT',
    '-A CS_EXTNET_FWD_42 -o vn-100-42 -m state --state RELATED,ESTABLISHED -j ACCEPT', 'COMMIT', ''].join('\n')
  sh('bash', '-c', `printf '%s' "$0" | ip netns exec cs-net-42 iptables-restore --noflush`, restore)
  const dir = join(STATE_DIR, 'network-42')
  mkdirSync(dir, {recursive: true})
  for (const [file, value] of [['vlan', '100'], ['gateway', '10.1.1.1'], ['cidr', '10.1.1.0/24'], ['extension-ip', '10.1.1.1'], ['namespace', 'cs-net-42']]) {
    writeFileSync(join(dir, file!), `${value}\n`)
  }
}

describe('taking over a host the bash wrapper managed', {skip: sandboxSkip}, () => {
  before(() => {
    resetHost()
    addVm('100', 'vm1', '10.1.1.10/24', '10.1.1.1')
    referenceHost()
  })
  after(resetHost)

  it('the reference-era network works before the takeover', () => {
    assert.ok(ping('vm1', '10.1.1.1'))
  })

  it('implement-network adopts it in place: same devices, reference chains re-hooked through csnet\'s dispatchers', () => {
    const run = csnet(['implement-network', payloadFile(network), '60'])
    assert.equal(run.status, 0, run.stderr)
    assert.ok(ping('vm1', '10.1.1.1'))
    const save = sh('ip', 'netns', 'exec', 'cs-net-42', 'iptables-save')
    assert.doesNotMatch(save, /^-A FORWARD -j CS_EXTNET_FWD_42$/m, 'the direct reference jump is gone')
    assert.equal(save.match(/^-A FORWARD /gm)?.length, 1)
    assert.match(save, /^-A FORWARD -j CS_EXTNET_FORWARD$/m)
    assert.match(save, /^-A CS_EXTNET_FORWARD -i vn-100-42 -j CS_EXTNET_FWD_42$/m)
    assert.ok(existsSync(join(STATE_DIR, 'network-42', 'csnet-network.json')))
    assert.equal(readFileSync(join(STATE_DIR, 'network-42', 'vlan'), 'utf8'), '100\n')
    const before = kernelState('cs-net-42')
    assert.equal(csnet(['implement-network', payloadFile(network), '60']).status, 0)
    assert.equal(kernelState('cs-net-42'), before)
  })

  it('a bridge the bash wrapper created is not csnet\'s to delete', () => {
    assert.equal(csnet(['shutdown-network', payloadFile(network), '60']).status, 0)
    assert.ok(!existsSync('/run/netns/cs-net-42'))
    assert.equal(trySh('ip', 'link', 'show', 'breth1-100').status, 0, 'it existed before csnet and stays')
  })

  it('shutdown of a network known only from the reference\'s files works', () => {
    resetHost()
    addVm('100', 'vm1', '10.1.1.10/24', '10.1.1.1')
    referenceHost()
    const run = csnet(['shutdown-network', payloadFile({network_id: '42', guest_type: 'isolated'}), '60'])
    assert.equal(run.status, 0, run.stderr)
    assert.ok(!existsSync('/run/netns/cs-net-42'))
    assert.notEqual(trySh('ip', 'link', 'show', 'vh-100-42').status, 0)
  })
})

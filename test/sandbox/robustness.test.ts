import assert from 'node:assert/strict'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {addVm, csnet, csnetAsync, hostFingerprint, kernelState, LOG_FILE, payloadFile, ping, resetHost, sandboxSkip, STATE_DIR, trySh} from './helpers.js'

const network = {network_id: '77', vlan: '200', gateway: '10.7.7.1', cidr: '10.7.7.0/24', guest_type: 'isolated'}

describe('bad input changes nothing on the host', {skip: sandboxSkip}, () => {
  before(() => {
    resetHost()
    addVm('200', 'vm7', '10.7.7.10/24', '10.7.7.1')
  })
  after(resetHost)

  const raw = (text: string | Buffer): string => {
    const path = payloadFile({})
    writeFileSync(path, text)
    return path
  }

  const cases: Array<[string, () => string[], RegExp]> = [
    ['missing required field', () => [payloadFile({vlan: '200'})], /field "network_id" is required/],
    ['malformed JSON', () => [raw('{"payload": {"network_id": ')], /payload file is not valid JSON/],
    ['bad base64 in a rules file', () => ['--network-id', '77', '--fw-rules-file', raw('!!not-base64!!')], /--fw-rules-file/],
    ['invalid IP', () => [payloadFile({...network, gateway: '10.7.7.256'})], /field "gateway" must be an IPv4 address/],
    ['invalid CIDR', () => [payloadFile({...network, cidr: '10.7.7.0/40'})], /field "cidr"/],
    ['invalid VLAN', () => [payloadFile({...network, vlan: 'vlan://9999'})], /field "vlan"/],
    ['shell metacharacters in an id', () => [payloadFile({...network, network_id: '42; rm -rf /'})], /field "network_id" must be an id/],
    ['gateway outside the CIDR', () => [payloadFile({...network, gateway: '10.8.8.1'})], /outside the guest CIDR/],
    ['an unknown trunk device', () => [payloadFile(network, {'guest.network.device': 'eth9'})], /host device eth9 does not exist/],
    ['an unsafe trunk device name', () => [payloadFile(network, {'guest.network.device': 'eth1;reboot'})], /guest.network.device/],
    ['an oversized payload', () => [payloadFile({...network, pad: 'x'.repeat(70_000)})], /over the 65536-byte limit/],
    ['non-UTF-8 bytes', () => [raw(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]))], /not valid UTF-8/],
    ['an undeclared flag', () => ['--network-id', '77', '--frobnicate', 'yes'], /Nonexistent flag/],
  ]

  for (const [name, args, pattern] of cases) {
    it(name, () => {
      const before = hostFingerprint()
      const run = csnet(['implement-network', ...args()], {CSNET_MAX_PAYLOAD_BYTES: '65536'})
      assert.notEqual(run.status, 0)
      assert.equal(run.stdout, '')
      assert.match(run.stderr, pattern)
      assert.equal(run.stderr.trim().split('\n').length, 1, `one line: ${run.stderr}`)
      assert.match(run.stderr, /^csnet implement-network: /)
      assert.equal(hostFingerprint(), before)
      const lastLog = JSON.parse(readFileSync(LOG_FILE, 'utf8').trim().split('\n').at(-1)!)
      assert.equal(lastLog.msg, run.stderr.trim(), 'the same line is in the log')
    })
  }

  it('secrets never reach the log', () => {
    csnet(['implement-network', payloadFile({...network, password: 'hunter2-secret', network_id: 'bad id'}, {'guest.network.device': 'eth1', password: 'hunter3-secret', sshkey: 'PRIVATEKEY'})])
    const log = readFileSync(LOG_FILE, 'utf8')
    assert.doesNotMatch(log, /hunter2-secret|hunter3-secret|PRIVATEKEY/)
  })
})

describe('concurrency', {skip: sandboxSkip}, () => {
  before(() => {
    resetHost()
    addVm('200', 'vm7', '10.7.7.10/24', '10.7.7.1')
  })
  after(resetHost)

  it('ten concurrent commands on one network leave consistent state', async () => {
    const runs = await Promise.all(
      Array.from({length: 10}, (_, index) =>
        csnetAsync(index % 3 === 2 ? ['shutdown-network', payloadFile(network), '60'] : ['implement-network', payloadFile(network), '60']),
      ),
    )
    for (const run of runs) assert.equal(run.status, 0, run.stderr)
    // Whatever order they ran in, one more implement converges to the same single, complete network.
    assert.equal(csnet(['implement-network', payloadFile(network), '60']).status, 0)
    const state = kernelState('cs-net-77')
    assert.equal(csnet(['implement-network', payloadFile(network), '60']).status, 0)
    assert.equal(kernelState('cs-net-77'), state)
    assert.equal(state.match(/^-A FORWARD -j CS_EXTNET_FORWARD$/gm)?.length, 1)
    assert.equal(state.match(/^-A CS_EXTNET_FORWARD -j DROP$/gm)?.length, 1)
    const record = JSON.parse(readFileSync(join(STATE_DIR, 'network-77', 'csnet-network.json'), 'utf8'))
    assert.equal(record.implemented, true)
    assert.equal(trySh('ip', 'link', 'show', 'vh-200-77').status, 0)
    assert.ok(ping('vm7', '10.7.7.1'))
  })

  it('a command waiting past its deadline for the lock fails with a clear busy error', async () => {
    const holder = trySh('bash', '-c', `exec 9>>${STATE_DIR}/lock-network-77; flock 9; ${process.execPath} ${join(process.cwd(), 'bin', 'run.js')} implement-network ${payloadFile(network)} 1; echo "rc=$?"`)
    assert.match(holder.stdout, /rc=4/)
    assert.match(holder.stderr, /network 77 is busy/)
  })
})

import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, it} from 'node:test'

import {crc32, posixCksum, preferredIndex} from '../../src/transport/hash.js'
import {HostKeyPolicy, knownKeys} from '../../src/transport/known-hosts.js'
import {forwardedPayload, remoteCommand, remoteExecutor} from '../../src/transport/forward.js'
import {decodePem, hostList} from '../../src/transport/settings.js'
import type {Invocation} from '../../src/protocol/invocation.js'
import {resolvePaths} from '../../src/core/paths.js'

describe('host selection hashes (reference-host-behaviour.md §10.3, §14)', () => {
  it('POSIX cksum matches coreutils', () => {
    const vectors: Record<string, number> = {'42': 1199578407, '1': 433426081, '5': 1559342856, '7': 4228067591, '100': 625073510, '209': 493350278, abc: 1219131554, '': 4294967295}
    for (const [key, sum] of Object.entries(vectors)) assert.equal(posixCksum(Buffer.from(key)), sum, key)
  })

  it('crc32 is zlib CRC-32 made unsigned', () => {
    assert.equal(crc32(Buffer.from('42')), 841265288)
    assert.equal(crc32(Buffer.from('8f14e45f-ceea-467a-9575-aaaaaaaaaaaa')), crc32(Buffer.from('8f14e45f-ceea-467a-9575-aaaaaaaaaaaa')) >>> 0)
    assert.ok(crc32(Buffer.from('abc')) >= 0)
  })

  it('preferred index vectors with cksum (what the bash proxy places)', () => {
    const vectors: Array<[string, number, number]> = [['42', 2, 1], ['42', 3, 0], ['209', 3, 2], ['1', 2, 1], ['1', 3, 1], ['5', 2, 0], ['5', 3, 0], ['abc', 3, 2]]
    for (const [key, hosts, index] of vectors) assert.equal(preferredIndex(key, hosts, 'cksum'), index, `${key} mod ${hosts}`)
  })

  it('preferred index with crc32 (the default)', () => {
    assert.equal(preferredIndex('42', 2, 'crc32'), 841265288 % 2)
    assert.equal(preferredIndex('42', 3, 'crc32'), 841265288 % 3)
  })
})

describe('SSH settings and host keys', () => {
  it('host lists: CSV with spaces, or a single host; junk refused', () => {
    assert.deepEqual(hostList({hosts: ' 192.0.2.1, 192.0.2.2 ,'}), ['192.0.2.1', '192.0.2.2'])
    assert.deepEqual(hostList({host: '192.0.2.9'}), ['192.0.2.9'])
    assert.throws(() => hostList({hosts: '192.0.2.1;reboot'}), /invalid host/)
  })

  it('decodes a PEM whose newlines arrive escaped', () => {
    assert.equal(decodePem('-----BEGIN X-----\\nAAAA\\n-----END X-----'), '-----BEGIN X-----\nAAAA\n-----END X-----')
    assert.equal(decodePem('a\nb'), 'a\nb')
  })

  it('pins on first use, then enforces; strict pins refuse unknown keys', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'csnet-kh-')), 'known_hosts')
    const key = {type: 'ssh-ed25519', blob: 'AAAAkey1', fingerprint: 'SHA256:one'}
    const policy = new HostKeyPolicy(file, [], '')
    assert.equal(policy.verdict('192.0.2.1', 22, key), 'unknown')
    policy.pin('192.0.2.1', 22, key)
    policy.pin('192.0.2.1', 2222, {...key, blob: 'AAAAkey2'})
    assert.equal(policy.verdict('192.0.2.1', 22, key), 'match')
    assert.equal(policy.verdict('192.0.2.1', 22, {...key, blob: 'AAAAother'}), 'changed')
    assert.equal(readFileSync(file, 'utf8'), '192.0.2.1 ssh-ed25519 AAAAkey1\n[192.0.2.1]:2222 ssh-ed25519 AAAAkey2\n')
    assert.deepEqual(knownKeys(readFileSync(file, 'utf8'), '192.0.2.1', 2222), [{type: 'ssh-ed25519', blob: 'AAAAkey2'}])
    const strict = new HostKeyPolicy(file, ['SHA256:one'], '')
    assert.equal(strict.verdict('192.0.2.7', 22, key), 'match')
    assert.equal(strict.verdict('192.0.2.7', 22, {...key, fingerprint: 'SHA256:two'}), 'changed')
  })
})

describe('forwarding', () => {
  const invocation: Invocation = {
    command: 'implement-network', generation: 1, timeoutSeconds: 60,
    physical: {hosts: '192.0.2.1', sshkey: 'PRIVATE', password: 'secret', 'guest.network.device': 'eth1'},
    details: {host: '192.0.2.1'}, payload: {network_id: '42'},
  }

  it('forwards a generation-2 envelope without the management server\'s secrets', () => {
    const envelope = JSON.parse(forwardedPayload(invocation).toString())
    assert.deepEqual(envelope['physical-network-extension-details'], {hosts: '192.0.2.1', 'guest.network.device': 'eth1'})
    assert.deepEqual(envelope.payload, {network_id: '42'})
    const flat = JSON.parse(forwardedPayload({...invocation, command: 'custom-action', payload: {network_id: '42', action: 'x'}}).toString())
    assert.equal(flat.action, 'x')
    assert.equal(flat.payload, undefined)
  })

  it('builds the remote command from constants, a known command and the checked executor only', () => {
    const command = remoteCommand('/etc/cloudstack/extensions/ext/ext-wrapper.sh', 'implement-network', 60)
    assert.match(command, /^umask 077; f=\$\(mktemp \/tmp\/cs-extnet-payload-XXXXXX\)/)
    assert.match(command, /trap 'rm -f "\$f"' EXIT; /)
    assert.match(command, /'\/etc\/cloudstack\/extensions\/ext\/ext-wrapper.sh' 'implement-network' "\$f" '60' <\/dev\/null & pid=\$!; \(sleep 65 & s=\$!; trap 'kill \$s; exit 0' TERM; wait \$s && kill -TERM \$pid\)/)
    assert.match(command, /; wait \$pid; rc=\$\?; kill \$watchdog 2>\/dev\/null; exit \$rc$/)
    assert.throws(() => remoteCommand('/x', 'rm -rf /', 60), /unknown CloudStack command/)
    assert.throws(() => remoteExecutor(resolvePaths({}), {CS_NET_SCRIPT_PATH: "/tmp/x'; reboot"}), /absolute path/)
    assert.equal(remoteExecutor(resolvePaths({CSNET_EXTENSION: 'my-ext'}), {}), '/etc/cloudstack/extensions/my-ext/my-ext-wrapper.sh')
  })
})

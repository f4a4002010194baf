import assert from 'node:assert/strict'
import {spawn, spawnSync, type ChildProcess} from 'node:child_process'
import {chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {createHash} from 'node:crypto'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {crc32} from '../../src/transport/hash.js'
import {addVm, csnet, ping, resetHost, ROOT, sandboxSkip, sh, STATE_DIR, trySh} from './helpers.js'

const work = mkdtempSync('/tmp/csnet-ssh-')
const sshd = new Map<string, ChildProcess>()
const PASSWORD = 'correct-horse-battery'

function keygen(path: string): void {
  sh('ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', path)
}

/** A real sshd on a loopback address inside the sandbox. */
async function startSshd(address: string, hostKey = join(work, `host-${address}`)): Promise<void> {
  if (!existsSync(hostKey)) keygen(hostKey)
  const config = join(work, `sshd-${address}.conf`)
  writeFileSync(config, [
    `ListenAddress ${address}:22`, `HostKey ${hostKey}`, `PidFile ${join(work, `sshd-${address}.pid`)}`,
    `AuthorizedKeysFile ${join(work, 'authorized_keys')}`, 'StrictModes no', 'UsePAM no', 'PermitRootLogin yes',
    'PasswordAuthentication yes', 'KbdInteractiveAuthentication no', 'LogLevel ERROR', 'MaxStartups 50', '',
  ].join('\n'))
  const child = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config], {stdio: 'ignore'})
  sshd.set(address, child)
  for (let i = 0; i < 50; i += 1) {
    if (trySh('bash', '-c', `exec 3<>/dev/tcp/${address}/22`).status === 0) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`sshd on ${address} did not start`)
}

function stopSshd(address: string): void {
  sshd.get(address)?.kill()
  sshd.delete(address)
}

const key = () => readFileSync(join(work, 'id_ed25519'), 'utf8')
const payload = (fields: Record<string, unknown>, physical: Record<string, string>, details: Record<string, unknown> = {}) => {
  const path = join(work, `payload-${Math.random().toString(36).slice(2)}.payload`)
  writeFileSync(path, JSON.stringify({'physical-network-extension-details': physical, 'network-extension-details': details, payload: fields}))
  return path
}
const management = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({CSNET_ROLE: 'management', SSH_AUTH_SOCK: '', ...extra})

/** A stand-in host-side executor: reports what arrived (args, payload digest, forwarded details) and can fail. */
function stubExecutor(): string {
  const path = join(work, 'stub-executor.js')
  writeFileSync(path, `#!/usr/bin/env node
const fs = require('fs'); const crypto = require('crypto')
const [command, file, timeout] = process.argv.slice(2)
const text = fs.readFileSync(file, 'utf8'); const envelope = JSON.parse(text)
const mode = fs.statSync(file).mode & 0o777
if (command === 'destroy-network') { process.stderr.write('boom: remote failure\\n'); process.exit(7) }
if (command === 'release-nic') { process.stderr.write('exited 255 on purpose\\n'); process.exit(255) }
console.log(JSON.stringify({command, file, timeout, mode: mode.toString(8), peer: process.env.CSNET_PEER_VERSION,
  blob: crypto.createHash('sha256').update(envelope.payload.blob || '').digest('hex'),
  physical: Object.keys(envelope['physical-network-extension-details']).sort()}))
`)
  chmodSync(path, 0o755)
  return path
}

/** A network id whose preferred host (crc32 mod 2) is the second of two hosts. */
const idPreferringSecond = () => String([...Array(100).keys()].find((id) => crc32(Buffer.from(String(id))) % 2 === 1))

describe('management role over SSH (ssh2) against a real sshd', {skip: sandboxSkip}, () => {
  let stub: string
  before(async () => {
    resetHost()
    mkdirSync('/run/sshd', {recursive: true})
    keygen(join(work, 'id_ed25519'))
    writeFileSync(join(work, 'authorized_keys'), readFileSync(join(work, 'id_ed25519.pub')))
    // A password-only test user, in this sandbox's mount namespace only: the machine's accounts are untouched.
    const hash = sh('openssl', 'passwd', '-6', PASSWORD).trim()
    mkdirSync(join(work, 'home'), {recursive: true})
    writeFileSync(join(work, 'passwd'), `${readFileSync('/etc/passwd', 'utf8')}csnettest:x:1999:1999::${join(work, 'home')}:/bin/sh\n`)
    writeFileSync(join(work, 'shadow'), `${readFileSync('/etc/shadow', 'utf8')}csnettest:${hash}:19000:0:99999:7:::\n`)
    sh('mount', '--bind', join(work, 'passwd'), '/etc/passwd')
    sh('mount', '--bind', join(work, 'shadow'), '/etc/shadow')
    chmodSync(work, 0o755)
    stub = stubExecutor()
    await startSshd('127.0.0.2')
  })
  after(() => {
    for (const address of [...sshd.keys()]) stopSshd(address)
    trySh('umount', '/etc/passwd')
    trySh('umount', '/etc/shadow')
    resetHost()
  })

  it('ensure-network-device prints the reference line byte for byte and pins the host key', () => {
    const run = csnet(['ensure-network-device', payload({network_id: '42', current_details: '{}'}, {hosts: '127.0.0.2', sshkey: key()}), '60'], management())
    assert.equal(run.status, 0, run.stderr)
    assert.equal(run.stdout, '{"host":"127.0.0.2","namespace":"cs-net-42"}\n')
    assert.equal(run.stderr, '')
    assert.match(readFileSync(join(STATE_DIR, 'known_hosts'), 'utf8'), /^127\.0\.0\.2 ssh-ed25519 AAAA/)
    const vpc = csnet(['ensure-network-device', payload({vpc_id: '5', current_details: '{}'}, {hosts: '127.0.0.2', sshkey: key()}), '60'], management())
    assert.equal(vpc.stdout, '{"host":"127.0.0.2","namespace":"cs-vpc-5","vpc_id":"5"}\n')
  })

  it('with one of two hosts down, a network preferring it fails over; the current host is sticky', async () => {
    const id = idPreferringSecond()
    const hosts = {hosts: '127.0.0.2,127.0.0.3', sshkey: key()}
    const failover = csnet(['ensure-network-device', payload({network_id: id, current_details: '{}'}, hosts), '60'], management())
    assert.equal(failover.stdout, `{"host":"127.0.0.2","namespace":"cs-net-${id}"}\n`, failover.stderr)
    await startSshd('127.0.0.3')
    const preferred = csnet(['ensure-network-device', payload({network_id: id, current_details: '{}'}, hosts), '60'], management())
    assert.equal(preferred.stdout, `{"host":"127.0.0.3","namespace":"cs-net-${id}"}\n`, 'new placement follows the hash')
    const sticky = csnet(['ensure-network-device', payload({network_id: id, current_details: '{"host":"127.0.0.2"}'}, hosts), '60'], management())
    assert.equal(sticky.stdout, `{"host":"127.0.0.2","namespace":"cs-net-${id}"}\n`, 'the current host stays')
    stopSshd('127.0.0.3')
  })

  it('no hosts, no ids, no reachable host: clear errors and exit 1', () => {
    const none = csnet(['ensure-network-device', payload({network_id: '42'}, {sshkey: key()}), '60'], management())
    assert.equal(none.status, 1)
    assert.match(none.stderr, /no hosts configured/)
    const noId = csnet(['ensure-network-device', payload({}, {hosts: '127.0.0.2', sshkey: key()}), '60'], management())
    assert.match(noId.stderr, /missing network_id or vpc_id/)
    const down = csnet(['ensure-network-device', payload({network_id: '42'}, {hosts: '127.0.0.4', sshkey: key()}), '60'], management())
    assert.equal(down.status, 1)
    assert.match(down.stderr, /no reachable host found in list: 127\.0\.0\.4/)
    assert.equal(down.stdout, '')
  })

  it('password authentication (no sshpass) and agent authentication both work', () => {
    const password = csnet(['ensure-network-device', payload({network_id: '42'}, {hosts: '127.0.0.2', username: 'csnettest', password: PASSWORD}), '60'], management())
    assert.equal(password.stdout, '{"host":"127.0.0.2","namespace":"cs-net-42"}\n', password.stderr)
    const wrong = csnet(['ensure-network-device', payload({network_id: '42'}, {hosts: '127.0.0.2', username: 'csnettest', password: 'nope'}), '60'], management())
    assert.equal(wrong.status, 1)
    const agentSocket = join(work, 'agent.sock')
    const agent = spawnSync('ssh-agent', ['-a', agentSocket], {encoding: 'utf8'})
    assert.equal(agent.status, 0, agent.stderr)
    sh('env', `SSH_AUTH_SOCK=${agentSocket}`, 'ssh-add', '-q', join(work, 'id_ed25519'))
    const viaAgent = csnet(['ensure-network-device', payload({network_id: '42'}, {hosts: '127.0.0.2'}), '60'], management({SSH_AUTH_SOCK: agentSocket}))
    assert.equal(viaAgent.stdout, '{"host":"127.0.0.2","namespace":"cs-net-42"}\n', viaAgent.stderr)
    trySh('env', `SSH_AUTH_SOCK=${agentSocket}`, 'ssh-agent', '-k')
  })

  it('forwards a 5 MB payload intact over one connection, without the key or password, as a 0600 file', () => {
    const blob = 'x'.repeat(5 * 1024 * 1024)
    const run = csnet(
      ['implement-network', payload({network_id: '42', blob}, {hosts: '127.0.0.2', username: 'csnettest', password: PASSWORD, sshkey: 'not-a-key'}, {host: '127.0.0.2'}), '45'],
      management({CS_NET_SCRIPT_PATH: stub}),
    )
    assert.equal(run.status, 0, run.stderr)
    const report = JSON.parse(run.stdout)
    assert.equal(report.command, 'implement-network')
    assert.equal(report.timeout, '45')
    assert.equal(report.mode, '600')
    assert.equal(report.peer, '0.1')
    assert.equal(report.blob, createHash('sha256').update(blob).digest('hex'))
    assert.deepEqual(report.physical, ['hosts', 'username'])
    assert.match(report.file, /^\/tmp\/cs-extnet-payload-/)
    assert.ok(!existsSync(report.file), 'the remote temp file is gone')
  })

  it('a generation-1 call is forwarded as a generation-2 payload', () => {
    const run = csnet(
      ['implement-network', '--network-id', '42', '--vlan', '100', '--physical-network-extension-details', JSON.stringify({hosts: '127.0.0.2', sshkey: key()}), '--network-extension-details', '{"host":"127.0.0.2"}'],
      management({CS_NET_SCRIPT_PATH: stub}),
    )
    assert.equal(run.status, 0, run.stderr)
    assert.equal(JSON.parse(run.stdout).command, 'implement-network')
  })

  it('a remote failure exits 3 with the remote message relayed', () => {
    const run = csnet(['destroy-network', payload({network_id: '42'}, {hosts: '127.0.0.2', sshkey: key()}, {host: '127.0.0.2'}), '60'], management({CS_NET_SCRIPT_PATH: stub}))
    assert.equal(run.status, 3)
    assert.match(run.stderr, /boom: remote failure/)
  })

  it('a remote exit 255 is a remote failure (3), not an SSH failure as the reference misread it', () => {
    const run = csnet(['release-nic', payload({network_id: '42'}, {hosts: '127.0.0.2', sshkey: key()}, {host: '127.0.0.2'}), '60'], management({CS_NET_SCRIPT_PATH: stub}))
    assert.equal(run.status, 3)
    assert.match(run.stderr, /exited 255 on purpose/)
  })

  it('a changed host key is refused with exit 2, never a reason to fail over', async () => {
    stopSshd('127.0.0.2')
    const newKey = join(work, 'host-127.0.0.2-rekeyed')
    await startSshd('127.0.0.2', newKey)
    const run = csnet(['ensure-network-device', payload({network_id: '42', current_details: '{"host":"127.0.0.2"}'}, {hosts: '127.0.0.2,127.0.0.3', sshkey: key()}), '60'], management())
    assert.equal(run.status, 2)
    assert.match(run.stderr, /host key of 127\.0\.0\.2:22 changed/)
    assert.equal(run.stdout, '')
    const forwarded = csnet(['implement-network', payload({network_id: '42'}, {hosts: '127.0.0.2', sshkey: key()}, {host: '127.0.0.2'}), '60'], management({CS_NET_SCRIPT_PATH: stub}))
    assert.equal(forwarded.status, 2)
    // The operator accepts the new key by pinning it in the details: strict mode.
    const fingerprint = sh('ssh-keygen', '-l', '-f', `${newKey}.pub`).split(' ')[1]!
    const pinned = csnet(['ensure-network-device', payload({network_id: '42'}, {hosts: '127.0.0.2', sshkey: key(), 'ssh.host.fingerprints': fingerprint}), '60'], management())
    assert.equal(pinned.status, 0, pinned.stderr)
  })

  it('end to end: the management side forwards implement-network and csnet builds the network on the host', () => {
    addVm('100', 'vm1', '10.1.1.10/24', '10.1.1.1')
    const executor = join(work, 'csnet-wrapper.sh')
    writeFileSync(executor, `#!/bin/sh\nexec ${process.execPath} ${join(ROOT, 'bin', 'run.js')} "$@"\n`)
    chmodSync(executor, 0o755)
    const physical = {hosts: '127.0.0.2', sshkey: key(), 'guest.network.device': 'eth1', 'ssh.host.fingerprints': sh('ssh-keygen', '-l', '-f', join(work, 'host-127.0.0.2-rekeyed.pub')).split(' ')[1]!}
    const run = csnet(['implement-network', payload({network_id: '42', vlan: '100', gateway: '10.1.1.1', cidr: '10.1.1.0/24', guest_type: 'isolated'}, physical, {host: '127.0.0.2'}), '60'], management({CS_NET_SCRIPT_PATH: executor}))
    assert.equal(run.status, 0, run.stderr)
    assert.equal(run.stdout + run.stderr, '')
    assert.ok(existsSync('/run/netns/cs-net-42'))
    assert.ok(ping('vm1', '10.1.1.1'))
  })

  it('works as an unprivileged user (CloudStack runs as "cloud"): known_hosts and log fall back, nothing printed', () => {
    chmodSync(join(work, 'home'), 0o777)
    const file = payload({network_id: '42'}, {hosts: '127.0.0.2', sshkey: key(), 'ssh.host.fingerprints': sh('ssh-keygen', '-l', '-f', join(work, 'host-127.0.0.2-rekeyed.pub')).split(' ')[1]!})
    chmodSync(file, 0o644)
    const run = spawnSync('setpriv', ['--reuid', '1999', '--regid', '1999', '--clear-groups', 'env', `HOME=${join(work, 'home')}`, 'CSNET_ROLE=management', process.execPath, join(ROOT, 'bin', 'run.js'), 'ensure-network-device', file, '60'], {encoding: 'utf8'})
    assert.equal(run.status, 0, run.stderr)
    assert.equal(run.stdout, '{"host":"127.0.0.2","namespace":"cs-net-42"}\n')
    assert.equal(run.stderr, '')
    assert.ok(existsSync('/tmp/cloudstack-extensions/network-namespace.log'), 'log fell back to the reference proxy location')
  })

  it('a hung host never hangs CloudStack: silent TCP peers time out, a stuck remote command hits the deadline', async () => {
    // Accepts TCP on port 22 and never says a word.
    const silent = spawn(process.execPath, ['-e', "require('net').createServer(() => {}).listen(22, '127.0.0.5')"], {stdio: 'ignore'})
    await new Promise((resolve) => setTimeout(resolve, 300))
    try {
      let started = Date.now()
      const probe = csnet(['ensure-network-device', payload({network_id: '42'}, {hosts: '127.0.0.5', sshkey: key(), 'ssh.connect.timeout': '1'}), '60'], management())
      assert.equal(probe.status, 1)
      assert.match(probe.stderr, /no reachable host/)
      assert.ok(Date.now() - started < 5000, `ensure took ${Date.now() - started} ms`)
      const stuck = join(work, 'stuck-executor.sh')
      writeFileSync(stuck, '#!/bin/sh\nsleep 60\n')
      chmodSync(stuck, 0o755)
      const pinned = {hosts: '127.0.0.2', sshkey: key(), 'ssh.host.fingerprints': sh('ssh-keygen', '-l', '-f', join(work, 'host-127.0.0.2-rekeyed.pub')).split(' ')[1]!}
      const leftovers = () => sh('bash', '-c', 'ls /tmp/cs-extnet-payload-* 2>/dev/null | wc -l').trim()
      const before = leftovers()
      started = Date.now()
      const run = csnet(['implement-network', payload({network_id: '42'}, pinned, {host: '127.0.0.2'}), '1'], management({CS_NET_SCRIPT_PATH: stuck}))
      assert.equal(run.status, 4)
      assert.match(run.stderr, /gave no result within 6s/)
      assert.ok(Date.now() - started < 10_000, `forward took ${Date.now() - started} ms`)
      await new Promise((resolve) => setTimeout(resolve, 1000))
      assert.equal(leftovers(), before, 'giving up stopped the remote executor and removed its temp file')
    } finally {
      silent.kill()
    }
  })

  it('a host-side csnet refuses a management server speaking another protocol version', () => {
    const run = csnet(['destroy-network', '--network-id', '42'], {CSNET_PEER_VERSION: '9.9'})
    assert.equal(run.status, 1)
    assert.match(run.stderr, /management server runs csnet protocol 9\.9, this host 0\.1/)
  })
})

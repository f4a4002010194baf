import assert from 'node:assert/strict'
import {spawn, spawnSync} from 'node:child_process'
import {mkdtempSync, readdirSync, readFileSync, unlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {setTimeout as sleep} from 'node:timers/promises'

import {BusyError} from '../../src/core/errors.js'
import {writeFileAtomic} from '../../src/state/atomic.js'
import {acquireLock} from '../../src/state/lock.js'
import {StateStore, type NetworkRecord} from '../../src/state/store.js'

const tmp = () => mkdtempSync(join(tmpdir(), 'csnet-state-'))

describe('atomic writes', () => {
  it('replace content whole and leave no temp files', () => {
    const dir = tmp()
    const path = join(dir, 'vlan')
    writeFileAtomic(path, '100\n')
    writeFileAtomic(path, '200\n')
    assert.equal(readFileSync(path, 'utf8'), '200\n')
    assert.deepEqual(readdirSync(dir), ['vlan'])
  })

  it('a reader racing many writers only ever sees a complete value', async () => {
    const dir = tmp()
    const path = join(dir, 'record')
    const values = ['a'.repeat(100_000), 'b'.repeat(100_000)]
    writeFileAtomic(path, values[0]!)
    const writer = spawn(process.execPath, ['--input-type=module', '-e', `
      const {writeFileAtomic} = await import(${JSON.stringify(new URL('../../src/state/atomic.js', import.meta.url).href)})
      for (let i = 0; i < 300; i++) writeFileAtomic(${JSON.stringify(path)}, ${JSON.stringify(values.map((v) => v.slice(0, 1)))}[i % 2].repeat(100000))
    `])
    const done = new Promise((resolve) => writer.on('exit', resolve))
    let reads = 0
    while (writer.exitCode === null) {
      const content = readFileSync(path, 'utf8')
      assert.ok(values.includes(content), `torn read of ${content.length} bytes`)
      reads += 1
      await sleep(0)
    }
    await done
    assert.equal(writer.exitCode, 0)
    assert.ok(reads > 0)
  })
})

describe('network lock', () => {
  it('waits for a holder, times out with a clear error, and is never unlinked', () => {
    const dir = tmp()
    const path = join(dir, 'lock-network-42')
    const first = acquireLock(path, 1, 'network 42')
    const started = Date.now()
    assert.throws(() => acquireLock(path, 0.3, 'implement-network: network 42'), (error: Error) => error instanceof BusyError && /network 42 is busy/.test(error.message))
    assert.ok(Date.now() - started >= 250)
    first.release()
    const second = acquireLock(path, 1, 'network 42')
    second.release()
    assert.ok(readdirSync(dir).includes('lock-network-42'))
  })

  it('is not inherited by processes started while it is held (daemons must never keep a network locked)', () => {
    const path = join(tmp(), 'lock-network-11')
    const held = acquireLock(path, 1, 'network 11')
    const child = spawnSync('sh', ['-c', 'ls -l /proc/self/fd/'], {encoding: 'utf8'})
    held.release()
    assert.equal(child.status, 0)
    assert.doesNotMatch(child.stdout, /lock-network-11/)
  })

  it('excludes the bash wrapper\'s flock(1) on the same file', () => {
    const path = join(tmp(), 'lock-vpc-5')
    const held = acquireLock(path, 1, 'vpc 5')
    assert.equal(spawnSync('flock', ['-n', path, 'true']).status, 1)
    held.release()
    assert.equal(spawnSync('flock', ['-n', path, 'true']).status, 0)
  })

  it('two processes contending: the second gets the lock only after the first lets go', async () => {
    const path = join(tmp(), 'lock-network-7')
    const holder = spawn('flock', [path, 'sleep', '0.6'])
    await sleep(150)
    const started = Date.now()
    const lock = acquireLock(path, 5, 'network 7')
    const waited = Date.now() - started
    lock.release()
    await new Promise((resolve) => holder.on('exit', resolve))
    assert.ok(waited >= 300, `waited only ${waited} ms`)
  })

  it('re-locks when the path was unlinked and recreated under it (the reference unlinks after unlocking)', async () => {
    const path = join(tmp(), 'lock-network-9')
    writeFileSync(path, '')
    // The bash wrapper's pattern: hold, then unlink the file while still holding, then exit.
    const wrapper = spawn('bash', ['-c', `exec 200>${path}; flock 200; sleep 0.4; rm -f ${path}; exec 200>&-`])
    await sleep(100)
    const lock = acquireLock(path, 5, 'network 9')
    // Whatever inode we hold must be the one the path names now.
    assert.equal(spawnSync('flock', ['-n', path, 'true']).status, 1)
    lock.release()
    await new Promise((resolve) => wrapper.on('exit', resolve))
  })
})

describe('state store', () => {
  const record: NetworkRecord = {
    format: 1, networkId: '42', guestType: 'isolated', vlan: '100', gateway: '10.1.1.1', cidr: '10.1.1.0/24',
    extensionIp: '10.1.1.1', ip6Gateway: 'fd00::1', ip6Cidr: 'fd00::/64', guestDevice: 'eth1', publicDevice: 'eth1',
    namespace: 'cs-net-42',
    names: {vethHost: 'vh-100-42', vethNs: 'vn-100-42', bridge: 'breth1-100', vlanDevice: 'eth1.100'}, implemented: true,
  }

  it('writes the reference layout alongside its own record', () => {
    const store = new StateStore(tmp())
    store.writeNetwork(record)
    const dir = store.networkDir('42')
    assert.equal(readFileSync(join(dir, 'vlan'), 'utf8'), '100\n')
    assert.equal(readFileSync(join(dir, 'gateway'), 'utf8'), '10.1.1.1\n')
    assert.equal(readFileSync(join(dir, 'cidr'), 'utf8'), '10.1.1.0/24\n')
    assert.equal(readFileSync(join(dir, 'extension-ip'), 'utf8'), '10.1.1.1\n')
    assert.equal(readFileSync(join(dir, 'ip6-gateway'), 'utf8'), 'fd00::1\n')
    assert.equal(readFileSync(join(dir, 'namespace'), 'utf8'), 'cs-net-42\n')
    assert.deepEqual(store.readNetwork('42'), record)
  })

  it('VPC tiers get the reference tiers/ marker and the VPC namespace file', () => {
    const store = new StateStore(tmp())
    store.writeNetwork({...record, networkId: '7', vpcId: '5', namespace: 'cs-vpc-5'})
    assert.deepEqual(store.vpcTiers('5'), ['7'])
    assert.equal(readFileSync(join(store.vpcDir('5'), 'namespace'), 'utf8'), 'cs-vpc-5\n')
    store.removeNetwork({...record, networkId: '7', vpcId: '5'})
    assert.deepEqual(store.vpcTiers('5'), [])
  })

  it('reads what the bash wrapper left', () => {
    const store = new StateStore(tmp())
    store.writeNetwork(record)
    unlinkSync(join(store.networkDir('42'), 'csnet-network.json'))
    assert.equal(store.readNetwork('42'), undefined)
    assert.deepEqual(store.readReferenceFiles('42'), {
      vlan: '100', gateway: '10.1.1.1', cidr: '10.1.1.0/24', 'extension-ip': '10.1.1.1', 'ip6-gateway': 'fd00::1', 'ip6-cidr': 'fd00::/64',
    })
  })
})

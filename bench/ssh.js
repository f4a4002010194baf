#!/usr/bin/env node
// Management role over loopback SSH: ensure-network-device and a forwarded small command (destroy-network of
// an unknown network: the host-side csnet starts, finds nothing to do, exits 0), next to the same command run
// locally; median wall time on Node 20 and Node 24. Runs inside the network sandbox (bench/ssh.sh), with a
// throwaway sshd on 127.0.0.2.
import {spawn, spawnSync} from 'node:child_process'
import {chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const cli = join(root, 'bin', 'run.js')
const runs = Number(process.env.BENCH_RUNS || 11)
const nodes = [['20', process.execPath], ...(process.env.NODE24 ? [['24', process.env.NODE24]] : [])]
if (process.env.CSNET_IN_SANDBOX !== '1') {
  console.error('run through bench/ssh.sh (it enters the network sandbox)')
  process.exit(1)
}
const work = mkdtempSync('/tmp/csnet-bench-ssh-')
const sh = (...args) => {
  const result = spawnSync(args[0], args.slice(1), {encoding: 'utf8'})
  if (result.status !== 0) throw new Error(`${args.join(' ')}: ${result.stderr}`)
  return result.stdout
}
sh('ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', join(work, 'host'))
sh('ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', join(work, 'id'))
writeFileSync(join(work, 'authorized_keys'), readFileSync(join(work, 'id.pub')))
writeFileSync(join(work, 'sshd.conf'), `ListenAddress 127.0.0.2:22\nHostKey ${join(work, 'host')}\nPidFile ${join(work, 'pid')}\nAuthorizedKeysFile ${join(work, 'authorized_keys')}\nStrictModes no\nUsePAM no\nPermitRootLogin yes\nLogLevel ERROR\n`)
mkdirSync('/run/sshd', {recursive: true})
const sshd = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(work, 'sshd.conf')], {stdio: 'ignore'})
await new Promise((resolve) => setTimeout(resolve, 500))

const physical = {hosts: '127.0.0.2', sshkey: readFileSync(join(work, 'id'), 'utf8')}
const file = (fields) => {
  const path = join(work, `p-${Math.random().toString(36).slice(2)}.payload`)
  writeFileSync(path, JSON.stringify({'physical-network-extension-details': physical, 'network-extension-details': {host: '127.0.0.2'}, payload: fields}))
  return path
}
const time = (node, args, env) => {
  const started = process.hrtime.bigint()
  const result = spawnSync(node, [cli, ...args], {encoding: 'utf8', env: {...process.env, ...env}})
  if (result.status !== 0) throw new Error(`${args[0]}: ${result.stderr}`)
  return Number(process.hrtime.bigint() - started) / 1e6
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
const rows = []
for (const [version, node] of nodes) {
  const executor = join(work, `executor-${version}.sh`)
  writeFileSync(executor, `#!/bin/sh\nexec ${node} ${cli} "$@"\n`)
  chmodSync(executor, 0o755)
  const management = {CSNET_ROLE: 'management', CS_NET_SCRIPT_PATH: executor, SSH_AUTH_SOCK: ''}
  const ensure = Array.from({length: runs}, () => time(node, ['ensure-network-device', file({network_id: '42', current_details: '{}'}), '60'], management))
  const forwarded = Array.from({length: runs}, () => time(node, ['destroy-network', file({network_id: '4242'}), '60'], management))
  const local = Array.from({length: runs}, () => time(node, ['destroy-network', file({network_id: '4242'}), '60'], {}))
  rows.push(`| ${version} | ${median(ensure).toFixed(0)} ms | ${median(forwarded).toFixed(0)} ms | ${median(local).toFixed(0)} ms |`)
}
sshd.kill()
const table = ['| Node | ensure-network-device | forwarded destroy-network (over SSH) | same command run locally |', '|---|---|---|---|', ...rows].join('\n')
console.log(`${runs} runs each, ${new Date().toISOString()}\n\n${table}`)
mkdirSync(join(root, 'bench', 'results'), {recursive: true})
writeFileSync(join(root, 'bench', 'results', 'ssh.md'), `${table}\n`)

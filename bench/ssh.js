#!/usr/bin/env node
// Management role over loopback SSH: ensure-network-device and a forwarded small command (destroy-network of
// an unknown network: the host-side csnet starts, finds nothing to do, exits 0), next to the same command run
// locally; median wall time on Node 20 and Node 24, with a throwaway sshd on 127.0.0.2 inside the sandbox.
// Run with bench/run.sh ssh.
import {spawn} from 'node:child_process'
import {chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {cli, median, nodes, payloads, report, requireSandbox, sh, timeCsnet} from './lib.js'

requireSandbox('ssh')
const runs = Number(process.env.BENCH_RUNS || 11)
const work = mkdtempSync('/tmp/csnet-bench-ssh-')
sh('ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', join(work, 'host'))
sh('ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', join(work, 'id'))
writeFileSync(join(work, 'authorized_keys'), readFileSync(join(work, 'id.pub')))
writeFileSync(join(work, 'sshd.conf'), `ListenAddress 127.0.0.2:22\nHostKey ${join(work, 'host')}\nPidFile ${join(work, 'pid')}\nAuthorizedKeysFile ${join(work, 'authorized_keys')}\nStrictModes no\nUsePAM no\nPermitRootLogin yes\nLogLevel ERROR\n`)
mkdirSync('/run/sshd', {recursive: true})
const sshd = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(work, 'sshd.conf')], {stdio: 'ignore'})
await new Promise((resolve) => setTimeout(resolve, 500))

const ensure = payloads({network_id: '42', current_details: '{}'}, {hosts: '127.0.0.2', sshkey: readFileSync(join(work, 'id'), 'utf8')})
const destroy = payloads({network_id: '4242'}, {hosts: '127.0.0.2', sshkey: readFileSync(join(work, 'id'), 'utf8')}, {host: '127.0.0.2'})
const rows = []
for (const [version, node] of nodes) {
  const executor = join(work, `executor-${version}.sh`)
  writeFileSync(executor, `#!/bin/sh\nexec ${node} ${cli} "$@"\n`)
  chmodSync(executor, 0o755)
  const management = {CSNET_ROLE: 'management', CS_NET_SCRIPT_PATH: executor, SSH_AUTH_SOCK: ''}
  const chosen = Array.from({length: runs}, () => timeCsnet(node, ['ensure-network-device', ensure(), '60'], management))
  const forwarded = Array.from({length: runs}, () => timeCsnet(node, ['destroy-network', destroy(), '60'], management))
  const local = Array.from({length: runs}, () => timeCsnet(node, ['destroy-network', destroy(), '60']))
  rows.push(`| ${version} | ${median(chosen).toFixed(0)} ms | ${median(forwarded).toFixed(0)} ms | ${median(local).toFixed(0)} ms |`)
}
sshd.kill()
report('ssh', '| Node | ensure-network-device | forwarded destroy-network (over SSH) | same command run locally |', rows, `${runs} runs each`)

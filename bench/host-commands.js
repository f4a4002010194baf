#!/usr/bin/env node
// Host-side command cost: wall time and peak RSS of whole csnet processes, median of repeated runs, on Node 20
// and Node 24. Run with bench/run.sh host-commands.
import {spawnSync} from 'node:child_process'

import {cli, median, nodes, payloads, report, requireSandbox, standIns} from './lib.js'

requireSandbox('host-commands')
const runs = Number(process.env.BENCH_RUNS || 15)
const payload = payloads({network_id: '42', vlan: '100', zone_id: '1', guest_type: 'isolated', gateway: '10.1.1.1', cidr: '10.1.1.0/24'})()
standIns('100')

/** One measured process: wall time from spawn to exit, peak RSS from GNU time. */
function measure(node, args) {
  const started = process.hrtime.bigint()
  const result = spawnSync('/usr/bin/time', ['-f', '%M', node, cli, ...args], {encoding: 'utf8'})
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  if (result.status !== 0) throw new Error(`${args.join(' ')} failed: ${result.stderr}`)
  return {ms, rssKb: Number(result.stderr.trim().split('\n').at(-1))}
}

const scenarios = [
  ['--help', ['--help']],
  ['implement-network (new network)', ['implement-network', payload, '60']],
  ['implement-network (again, no change)', ['implement-network', payload, '60']],
  ['shutdown-network', ['shutdown-network', payload, '60']],
  ['destroy-network', ['destroy-network', payload, '60']],
]
const rows = []
for (const [version, node] of nodes) {
  const samples = scenarios.map(() => [])
  measure(node, ['--help']) // warm the page cache
  for (let i = 0; i < runs; i += 1) scenarios.forEach(([, args], index) => samples[index].push(measure(node, args)))
  scenarios.forEach(([name], index) => {
    const ms = median(samples[index].map((s) => s.ms))
    const rss = median(samples[index].map((s) => s.rssKb)) / 1024
    rows.push(`| ${name} | ${version} | ${ms.toFixed(0)} ms | ${rss.toFixed(0)} MB |`)
  })
}
report('host-commands', '| command | Node | median wall time | median peak RSS |', rows, `${runs} runs each`)

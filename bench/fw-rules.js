#!/usr/bin/env node
// firewall plugin cost: apply-fw-rules with 10, 200 and 2000 rules, median wall time of the whole command and
// how many iptables-restore transactions one apply used (from csnet's debug log), on Node 20 and Node 24.
// Run with bench/run.sh fw-rules.
import {readFileSync} from 'node:fs'

import {median, nodes, payloads, report, requireSandbox, standIns, timeCsnet} from './lib.js'

requireSandbox('fw-rules')
const runs = Number(process.env.BENCH_RUNS || 7)
const sizes = (process.env.BENCH_SIZES || '10,200,2000').split(',').map(Number)
const LOG = '/var/log/cloudstack/extensions/network-namespace/network-namespace.log'
const payload = payloads({network_id: '42', vlan: '100', gateway: '10.1.1.1', cidr: '10.1.1.0/24', guest_type: 'isolated'})

/** N rules: ingress rules on distinct ports and sources, every tenth an egress rule. */
function ruleSet(count, variant) {
  const rules = Array.from({length: count}, (_, i) =>
    i % 10 === 9
      ? {id: i, type: 'egress', protocol: 'tcp', portStart: 20000 + i, portEnd: 20000 + i, sourceCidrs: [], destCidrs: [`198.51.100.${i % 250}/32`]}
      : {id: i, type: 'ingress', protocol: i % 2 ? 'udp' : 'tcp', portStart: 1000 + i + variant, portEnd: 1000 + i + variant, publicIp: '203.0.113.10', sourceCidrs: [`192.0.2.${i % 250}/32`], destCidrs: []},
  )
  return {default_egress_allow: true, rules}
}

standIns('100', '101')
const rows = []
for (const [version, node] of nodes) {
  timeCsnet(node, ['implement-network', payload(), '60'])
  timeCsnet(node, ['assign-ip', payload({public_ip: '203.0.113.10', public_vlan: '101', public_gateway: '203.0.113.1', public_cidr: '203.0.113.0/24', source_nat: 'true'}), '60'])
  for (const size of sizes) {
    // Alternate two different rule sets so every run really replaces the firewall.
    const times = Array.from({length: runs}, (_, i) => timeCsnet(node, ['apply-fw-rules', payload({fw_rules: ruleSet(size, i % 2)}), '60']))
    const before = readFileSync(LOG, 'utf8').length
    timeCsnet(node, ['apply-fw-rules', payload({fw_rules: ruleSet(size, runs % 2)}), '60'], {CSNET_LOG_LEVEL: 'debug'})
    const restores = readFileSync(LOG, 'utf8').slice(before).split('\n').filter((line) => line.includes('"iptables-restore"')).length
    rows.push(`| ${size} | ${version} | ${median(times).toFixed(0)} ms | ${restores} |`)
  }
  timeCsnet(node, ['destroy-network', payload(), '60'])
}
report('fw-rules', '| rules | Node | apply-fw-rules (median, whole command) | iptables-restore transactions per apply |', rows, `${runs} runs each`)

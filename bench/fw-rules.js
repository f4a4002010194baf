#!/usr/bin/env node
// firewall plugin cost: apply-fw-rules with 10, 200 and 2000 rules, median wall time of the whole command
// and how many iptables-restore transactions one apply used (from csnet's debug log), on Node 20 and 24.
// Runs inside the network sandbox (bench/fw-rules.sh).
import {spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const cli = join(root, 'bin', 'run.js')
const runs = Number(process.env.BENCH_RUNS || 7)
const sizes = (process.env.BENCH_SIZES || '10,200,2000').split(',').map(Number)
const nodes = [['20', process.execPath], ...(process.env.NODE24 ? [['24', process.env.NODE24]] : [])]
const LOG = '/var/log/cloudstack/extensions/network-namespace/network-namespace.log'
if (process.env.CSNET_IN_SANDBOX !== '1') {
  console.error('run through bench/fw-rules.sh (it enters the network sandbox)')
  process.exit(1)
}

const dir = mkdtempSync(join(tmpdir(), 'csnet-bench-'))
let files = 0
const network = {network_id: '42', vlan: '100', gateway: '10.1.1.1', cidr: '10.1.1.0/24', guest_type: 'isolated'}
function payload(fields) {
  const path = join(dir, `p${files++}.payload`)
  writeFileSync(path, JSON.stringify({'physical-network-extension-details': {'guest.network.device': 'eth1'}, 'network-extension-details': {}, payload: {...network, ...fields}}))
  return path
}
function sh(...args) {
  const result = spawnSync(args[0], args.slice(1), {encoding: 'utf8'})
  if (result.status !== 0) throw new Error(`${args.join(' ')}: ${result.stderr}`)
}
function csnet(node, args, env = {}) {
  const started = process.hrtime.bigint()
  const result = spawnSync(node, [cli, ...args], {encoding: 'utf8', env: {...process.env, ...env}})
  if (result.status !== 0) throw new Error(`${args[0]}: ${result.stderr}`)
  return Number(process.hrtime.bigint() - started) / 1e6
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
/** N rules: ingress rules on distinct ports and sources, every tenth an egress rule. */
function ruleSet(count, variant) {
  const rules = Array.from({length: count}, (_, i) =>
    i % 10 === 9
      ? {id: i, type: 'egress', protocol: 'tcp', portStart: 20000 + i, portEnd: 20000 + i, sourceCidrs: [], destCidrs: [`198.51.100.${i % 250}/32`]}
      : {id: i, type: 'ingress', protocol: i % 2 ? 'udp' : 'tcp', portStart: 1000 + i + variant, portEnd: 1000 + i + variant, publicIp: '203.0.113.10', sourceCidrs: [`192.0.2.${i % 250}/32`], destCidrs: []},
  )
  return {default_egress_allow: true, rules}
}

sh('ip', 'link', 'add', 'eth1', 'type', 'veth', 'peer', 'name', 'eth1-peer')
sh('ip', 'link', 'add', 'eth1.100', 'type', 'veth', 'peer', 'name', 'g0')
sh('ip', 'link', 'add', 'eth1.101', 'type', 'veth', 'peer', 'name', 'p0')
const rows = []
for (const [version, node] of nodes) {
  csnet(node, ['implement-network', payload({}), '60'])
  csnet(node, ['assign-ip', payload({public_ip: '203.0.113.10', public_vlan: '101', public_gateway: '203.0.113.1', public_cidr: '203.0.113.0/24', source_nat: 'true'}), '60'])
  for (const size of sizes) {
    // Alternate two different rule sets so every run really replaces the firewall.
    const times = Array.from({length: runs}, (_, i) => csnet(node, ['apply-fw-rules', payload({fw_rules: ruleSet(size, i % 2)}), '60']))
    const before = readFileSync(LOG, 'utf8').length
    csnet(node, ['apply-fw-rules', payload({fw_rules: ruleSet(size, runs % 2)}), '60'], {CSNET_LOG_LEVEL: 'debug'})
    const restores = readFileSync(LOG, 'utf8').slice(before).split('\n').filter((line) => line.includes('"iptables-restore"')).length
    rows.push(`| ${size} | ${version} | ${median(times).toFixed(0)} ms | ${restores} |`)
  }
  csnet(node, ['destroy-network', payload({}), '60'])
}
const table = ['| rules | Node | apply-fw-rules (median, whole command) | iptables-restore transactions per apply |', '|---|---|---|---|', ...rows].join('\n')
console.log(`${runs} runs each, ${new Date().toISOString()}\n\n${table}`)
mkdirSync(join(root, 'bench', 'results'), {recursive: true})
writeFileSync(join(root, 'bench', 'results', 'fw-rules.md'), `${table}\n`)

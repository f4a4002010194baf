#!/usr/bin/env node
// nat plugin cost: N × add-port-forward then N × delete-port-forward on one network (each a whole csnet
// process, as CloudStack runs it), median wall time per call and the DNAT rule count after each phase, on
// Node 20 and Node 24. Runs inside the network sandbox (bench/port-forwards.sh).
import {spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const cli = join(root, 'bin', 'run.js')
const count = Number(process.env.BENCH_FORWARDS || 200)
const nodes = [['20', process.execPath], ...(process.env.NODE24 ? [['24', process.env.NODE24]] : [])]
if (process.env.CSNET_IN_SANDBOX !== '1') {
  console.error('run through bench/port-forwards.sh (it enters the network sandbox)')
  process.exit(1)
}

const dir = mkdtempSync(join(tmpdir(), 'csnet-bench-'))
let files = 0
const network = {network_id: '42', vlan: '100', gateway: '10.1.1.1', cidr: '10.1.1.0/24', guest_type: 'isolated'}
const publicIp = {public_ip: '203.0.113.10', public_vlan: '101', public_gateway: '203.0.113.1', public_cidr: '203.0.113.0/24'}
function payload(fields) {
  const path = join(dir, `p${files++}.payload`)
  writeFileSync(path, JSON.stringify({'physical-network-extension-details': {'guest.network.device': 'eth1'}, 'network-extension-details': {}, payload: {...network, ...fields}}))
  return path
}
function sh(...args) {
  const result = spawnSync(args[0], args.slice(1), {encoding: 'utf8'})
  if (result.status !== 0) throw new Error(`${args.join(' ')}: ${result.stderr}`)
  return result.stdout
}
function csnet(node, args) {
  const started = process.hrtime.bigint()
  const result = spawnSync(node, [cli, ...args], {encoding: 'utf8'})
  if (result.status !== 0) throw new Error(`${args[0]}: ${result.stderr}`)
  return Number(process.hrtime.bigint() - started) / 1e6
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
const dnatRules = () => sh('ip', 'netns', 'exec', 'cs-net-42', 'iptables-save', '-t', 'nat').split('\n').filter((line) => line.includes('-j DNAT')).length

sh('ip', 'link', 'add', 'eth1', 'type', 'veth', 'peer', 'name', 'eth1-peer')
sh('ip', 'link', 'add', 'eth1.100', 'type', 'veth', 'peer', 'name', 'g0')
sh('ip', 'link', 'add', 'eth1.101', 'type', 'veth', 'peer', 'name', 'p0')
const rows = []
for (const [version, node] of nodes) {
  csnet(node, ['implement-network', payload({}), '60'])
  csnet(node, ['assign-ip', payload({...publicIp, source_nat: 'true'}), '60'])
  const forward = (i) => payload({...publicIp, public_port: String(10000 + i), private_ip: '10.1.1.10', private_port: '22', protocol: 'tcp'})
  const adds = Array.from({length: count}, (_, i) => csnet(node, ['add-port-forward', forward(i), '60']))
  const afterAdd = dnatRules()
  const deletes = Array.from({length: count}, (_, i) => csnet(node, ['delete-port-forward', forward(i), '60']))
  const afterDelete = dnatRules()
  csnet(node, ['destroy-network', payload({}), '60'])
  rows.push(`| ${version} | ${median(adds).toFixed(0)} ms | ${afterAdd} | ${median(deletes).toFixed(0)} ms | ${afterDelete} |`)
}
const table = ['| Node | add-port-forward (median) | DNAT rules after adds | delete-port-forward (median) | DNAT rules after deletes |', '|---|---|---|---|---|', ...rows].join('\n')
console.log(`${count} forwards, ${new Date().toISOString()}\n\n${table}`)
mkdirSync(join(root, 'bench', 'results'), {recursive: true})
writeFileSync(join(root, 'bench', 'results', 'port-forwards.md'), `${table}\n`)

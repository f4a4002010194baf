#!/usr/bin/env node
// nat plugin cost: N × add-port-forward then N × delete-port-forward on one network, median wall time per call
// and the DNAT rule count after each phase, on Node 20 and Node 24. Run with bench/run.sh port-forwards.
import {median, nodes, payloads, report, requireSandbox, sh, standIns, timeCsnet} from './lib.js'

requireSandbox('port-forwards')
const count = Number(process.env.BENCH_FORWARDS || 200)
const payload = payloads({network_id: '42', vlan: '100', gateway: '10.1.1.1', cidr: '10.1.1.0/24', guest_type: 'isolated'})
const publicIp = {public_ip: '203.0.113.10', public_vlan: '101', public_gateway: '203.0.113.1', public_cidr: '203.0.113.0/24'}
const dnatRules = () => sh('ip', 'netns', 'exec', 'cs-net-42', 'iptables-save', '-t', 'nat').split('\n').filter((line) => line.includes('-j DNAT')).length
standIns('100', '101')

const rows = []
for (const [version, node] of nodes) {
  timeCsnet(node, ['implement-network', payload(), '60'])
  timeCsnet(node, ['assign-ip', payload({...publicIp, source_nat: 'true'}), '60'])
  const forward = (i) => payload({...publicIp, public_port: String(10000 + i), private_ip: '10.1.1.10', private_port: '22', protocol: 'tcp'})
  const adds = Array.from({length: count}, (_, i) => timeCsnet(node, ['add-port-forward', forward(i), '60']))
  const afterAdd = dnatRules()
  const deletes = Array.from({length: count}, (_, i) => timeCsnet(node, ['delete-port-forward', forward(i), '60']))
  const afterDelete = dnatRules()
  timeCsnet(node, ['destroy-network', payload(), '60'])
  rows.push(`| ${version} | ${median(adds).toFixed(0)} ms | ${afterAdd} | ${median(deletes).toFixed(0)} ms | ${afterDelete} |`)
}
report('port-forwards', '| Node | add-port-forward (median) | DNAT rules after adds | delete-port-forward (median) | DNAT rules after deletes |', rows, `${count} forwards`)

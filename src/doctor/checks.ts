import {execa} from 'execa'
import {existsSync} from 'node:fs'

export interface Check {
  name: string
  ok: boolean
  required: boolean
  detail: string
  fix?: string
}

const PROGRAMS: Array<{name: string; required: boolean; debian: string; why: string}> = [
  {name: 'ip', required: true, debian: 'iproute2', why: 'links, addresses, namespaces'},
  {name: 'iptables-save', required: true, debian: 'iptables', why: 'reading the ruleset'},
  {name: 'iptables-restore', required: true, debian: 'iptables', why: 'applying the ruleset atomically'},
  {name: 'flock', required: true, debian: 'util-linux', why: 'per-network locks'},
  {name: 'sysctl', required: true, debian: 'procps', why: 'forwarding and rp_filter in namespaces'},
  {name: 'conntrack', required: false, debian: 'conntrack', why: 'cutting flows of removed NAT/firewall rules'},
  {name: 'arping', required: false, debian: 'arping', why: 'gratuitous ARP for public IPs'},
  {name: 'dnsmasq', required: false, debian: 'dnsmasq-base', why: 'DHCP and DNS (dhcp-dns plugin)'},
  {name: 'radvd', required: false, debian: 'radvd', why: 'IPv6 router advertisements'},
  {name: 'haproxy', required: false, debian: 'haproxy', why: 'load balancing (lb-haproxy plugin)'},
]

async function which(program: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':').concat(['/usr/sbin', '/sbin'])) {
    if (dir && existsSync(`${dir}/${program}`)) return `${dir}/${program}`
  }
  return undefined
}

async function iptablesBackend(): Promise<Check> {
  const result = await execa('iptables', ['--version'], {reject: false})
  const version = String(result.stdout).trim()
  if (result.exitCode !== 0) return {name: 'iptables backend', ok: false, required: true, detail: 'iptables not found', fix: 'apt-get install iptables'}
  const backend = /nf_tables/.test(version) ? 'nft' : 'legacy'
  const other = backend === 'nft' ? 'iptables-legacy-save' : 'iptables-nft-save'
  const otherRules = (await which(other)) ? await execa(other, [], {reject: false}) : undefined
  const mixed = otherRules !== undefined && /^-A /m.test(String(otherRules.stdout))
  return {
    name: 'iptables backend',
    ok: !mixed,
    required: true,
    detail: mixed ? `${version}, but ${other} also shows rules: legacy and nft are mixed` : version,
    fix: mixed ? `flush the ${backend === 'nft' ? 'legacy' : 'nft'} rules or switch update-alternatives to one backend` : undefined,
  }
}

/** Try a kernel feature in a throwaway network namespace: the host's own links are never touched. */
async function probe(name: string, script: string[][], fix: string, required = true): Promise<Check> {
  const args = script.flatMap((command, index) => (index === 0 ? command : ['&&', ...command]))
  const result = await execa('unshare', ['--net', 'sh', '-c', args.join(' ')], {reject: false})
  const ok = result.exitCode === 0
  return {name, ok, required, detail: ok ? 'available' : `unavailable (${String(result.stderr).trim().split('\n')[0] || `exit ${result.exitCode}`})`, fix}
}

export async function checkHost(): Promise<Check[]> {
  const checks: Check[] = []
  for (const program of PROGRAMS) {
    const path = await which(program.name)
    checks.push({
      name: program.name,
      ok: path !== undefined,
      required: program.required,
      detail: path ?? `not found (${program.why})`,
      fix: `apt-get install ${program.debian}`,
    })
  }
  checks.push(await iptablesBackend())
  checks.push(
    ...(await Promise.all([
      probe('network namespaces and veth', [['ip', 'link', 'add', 'p0', 'type', 'veth', 'peer', 'name', 'p1']], 'modprobe veth (CONFIG_VETH, CONFIG_NET_NS)'),
      probe('bridge', [['ip', 'link', 'add', 'b0', 'type', 'bridge']], 'modprobe bridge'),
      probe(
        '802.1Q VLAN',
        [['ip', 'link', 'add', 'p0', 'type', 'veth', 'peer', 'name', 'p1'], ['ip', 'link', 'add', 'link', 'p0', 'name', 'p0.100', 'type', 'vlan', 'id', '100']],
        'modprobe 8021q, or pre-create the <eth>.<vlan> devices (csnet uses existing ones as they are)',
        false,
      ),
    ])),
  )
  return checks
}

import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import {InputError} from '../../../src/core/errors.js'
import {chains} from '../../../src/naming/names.js'
import type {PortRange} from '../../../src/protocol/fields.js'
import {PRIORITY} from '../../../src/ruleset/core-rules.js'
import type {ChainContribution, RulesetSnapshot} from '../../../src/ruleset/types.js'
import {writeFileIfChanged} from '../../../src/state/atomic.js'
import type {NetworkRecord} from '../../../src/state/store.js'
import type {FirewallRuleSet} from './payload.js'

/** A rule as csnet keeps and applies it: validated, ports as a range, ICMP -1 ("any") as absent. */
export interface StoredRule {
  id?: number
  type: 'ingress' | 'egress'
  protocol: 'tcp' | 'udp' | 'icmp' | 'all'
  ports?: PortRange
  icmpType?: number
  icmpCode?: number
  publicIp?: string
  sourceCidrs: string[]
  destCidrs: string[]
}

export interface StoredRuleSet {
  defaultEgressAllow: boolean
  rules: StoredRule[]
}

/** Persisted per network: its presence is what turns default-deny on, and a rebuild needs no CloudStack call. */
export const RULES_FILE = 'fw-rules.json'

export function normalise(set: FirewallRuleSet): StoredRuleSet {
  const rules = set.rules.map((rule, index): StoredRule => {
    const where = `fw_rules.rules.${index}`
    const stored: StoredRule = {type: rule.type, protocol: rule.protocol, sourceCidrs: rule.sourceCidrs, destCidrs: rule.destCidrs}
    if (rule.id !== undefined) stored.id = rule.id
    if ((rule.protocol === 'tcp' || rule.protocol === 'udp') && rule.portStart !== undefined && rule.portStart !== -1) {
      const end = rule.portEnd === undefined || rule.portEnd === -1 ? rule.portStart : rule.portEnd
      if (rule.portStart < 1 || end > 65535 || end < rule.portStart) throw new InputError(`${where}: ports ${rule.portStart}-${end} are not a valid range`)
      stored.ports = {start: rule.portStart, end}
    }
    if (rule.protocol === 'icmp' && rule.icmpType !== undefined && rule.icmpType !== -1) {
      if (rule.icmpType < 0 || rule.icmpType > 255) throw new InputError(`${where}: icmpType ${rule.icmpType} is not 0-255`)
      stored.icmpType = rule.icmpType
      if (rule.icmpCode !== undefined && rule.icmpCode !== -1) stored.icmpCode = rule.icmpCode
    }
    if (rule.type === 'ingress') {
      if (!rule.publicIp) throw new InputError(`${where}: an ingress rule needs publicIp`)
      stored.publicIp = rule.publicIp
    }
    return stored
  })
  return {defaultEgressAllow: set.default_egress_allow, rules}
}

export function readRuleSet(networkDir: string): StoredRuleSet | undefined {
  try {
    return JSON.parse(readFileSync(join(networkDir, RULES_FILE), 'utf8')) as StoredRuleSet
  } catch {
    return undefined
  }
}

export function writeRuleSet(networkDir: string, set: StoredRuleSet): void {
  writeFileIfChanged(join(networkDir, RULES_FILE), `${JSON.stringify(set, null, 2)}\n`)
}

const ANY = new Set(['0.0.0.0/0', ''])
const range = (ports: PortRange) => (ports.start === ports.end ? String(ports.start) : `${ports.start}:${ports.end}`)

/** Match on what CloudStack names: for ingress the original (pre-DNAT) destination port, via conntrack. */
function match(rule: StoredRule, direction: 'ingress' | 'egress'): string[] {
  if (rule.protocol === 'all') return []
  if (rule.protocol === 'icmp') {
    if (rule.icmpType === undefined) return ['-p', 'icmp']
    return ['-p', 'icmp', '-m', 'icmp', '--icmp-type', rule.icmpCode === undefined ? String(rule.icmpType) : `${rule.icmpType}/${rule.icmpCode}`]
  }
  if (!rule.ports) return ['-p', rule.protocol]
  return direction === 'ingress'
    ? ['-p', rule.protocol, '-m', 'conntrack', '--ctorigdstport', range(rule.ports)]
    : ['-p', rule.protocol, '-m', rule.protocol, '--dport', range(rule.ports)]
}

function sources(cidrs: string[]): Array<string[]> {
  const real = cidrs.filter((cidr) => !ANY.has(cidr))
  return real.length === 0 || real.length < cidrs.length ? [[]] : real.map((cidr) => ['-s', cidr])
}

function destinations(cidrs: string[]): Array<string[]> {
  const real = cidrs.filter((cidr) => !ANY.has(cidr))
  return real.length === 0 || real.length < cidrs.length ? [[]] : real.map((cidr) => ['-d', cidr])
}

/** Public IPs of a network, from the reference's `ips/` layout (written by the nat plugin). */
export function publicIpsOf(snapshot: RulesetSnapshot, network: NetworkRecord): string[] {
  const dir = join(snapshot.scopeDir, 'ips')
  let names: string[]
  try {
    names = readdirSync(dir).filter((name) => /^\d{1,3}(\.\d{1,3}){3}$/.test(name)).sort()
  } catch {
    return []
  }
  if (!network.vpcId) return names
  return names.filter((ip) => {
    try {
      return readFileSync(join(dir, `${ip}.tier`), 'utf8').trim() === network.networkId
    } catch {
      return false
    }
  })
}

/**
 * Pure (given state): every chain of the firewall, all in the filter table so one restore replaces the whole
 * firewall atomically. Once a network has a rule set, NEW flows to any of its public IPs, forwarded (DNAT)
 * or local (load balancer), go through that IP's chain: allowed ones return, the rest are dropped; NEW flows
 * from its guests go through the egress chain. Replies to established flows are never examined.
 */
export function firewallRules(snapshot: RulesetSnapshot, ruleSetOf: (network: NetworkRecord) => StoredRuleSet | undefined): ChainContribution[] {
  const out: ChainContribution[] = []
  for (const network of snapshot.networks) {
    const set = ruleSetOf(network)
    if (!set || network.guestType !== 'isolated') continue
    const guest = network.names.vethNs
    const forward = chains.forward(network.networkId)
    const egress = chains.firewallRules(network.networkId)
    const ips = publicIpsOf(snapshot, network)
    for (const ip of ips) {
      const chain = chains.firewallIngress(ip)
      const allows = set.rules
        .filter((rule) => rule.type === 'ingress' && rule.publicIp === ip)
        .flatMap((rule) => sources(rule.sourceCidrs).map((source) => [...source, ...match(rule, 'ingress'), '-j', 'RETURN']))
      out.push(
        {table: 'filter', chain, priority: PRIORITY.policy, rules: [...allows, ['-j', 'DROP']]},
        {table: 'filter', chain: forward, priority: PRIORITY.policy - 50, rules: [['-o', guest, '-m', 'conntrack', '--ctstate', 'NEW', '--ctorigdst', `${ip}/32`, '-j', chain]]},
        {table: 'filter', chain: chains.dispatcher('INPUT'), priority: PRIORITY.policy, rules: [['-d', `${ip}/32`, '-m', 'conntrack', '--ctstate', 'NEW', '-j', chain]]},
      )
    }
    const verdict = set.defaultEgressAllow ? 'DROP' : 'RETURN'
    const explicit = set.rules
      .filter((rule) => rule.type === 'egress')
      .flatMap((rule) => sources(rule.sourceCidrs).flatMap((source) => destinations(rule.destCidrs).map((dest) => [...source, ...dest, ...match(rule, 'egress'), '-j', verdict])))
    out.push(
      {table: 'filter', chain: egress, priority: PRIORITY.policy, rules: [...explicit, ['-j', set.defaultEgressAllow ? 'RETURN' : 'DROP']]},
      {table: 'filter', chain: forward, priority: PRIORITY.policy, rules: [['-i', guest, '-m', 'conntrack', '--ctstate', 'NEW', '-j', egress]]},
    )
  }
  return out
}


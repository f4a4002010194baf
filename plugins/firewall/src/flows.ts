import {log} from '../../../src/core/log.js'
import {runInNamespace} from '../../../src/exec/run.js'
import {ipv4InCidr} from '../../../src/network/record.js'
import type {StoredRule, StoredRuleSet} from './rules.js'

/** The original direction of a conntrack entry. */
export interface Flow {
  protocol: string
  src: string
  dst: string
  sport?: number
  dport?: number
  icmpType?: number
  icmpCode?: number
  icmpId?: number
}

/** Parse `conntrack -L` lines (the first src/dst/ports are the original direction). */
export function parseFlows(listing: string): Flow[] {
  const flows: Flow[] = []
  for (const line of listing.split('\n')) {
    const protocol = /^(\w+)\s/.exec(line)?.[1]
    const src = /\bsrc=(\S+)/.exec(line)?.[1]
    const dst = /\bdst=(\S+)/.exec(line)?.[1]
    if (!protocol || !src || !dst) continue
    const number = (key: string) => {
      const value = new RegExp(`\\b${key}=(\\d+)`).exec(line)?.[1]
      return value === undefined ? undefined : Number(value)
    }
    flows.push({protocol, src, dst, sport: number('sport'), dport: number('dport'), icmpType: number('type'), icmpCode: number('code'), icmpId: number('id')})
  }
  return flows
}

const ANY = '0.0.0.0/0'
const inAny = (ip: string, cidrs: string[]) => cidrs.length === 0 || cidrs.includes(ANY) || cidrs.some((cidr) => ipv4InCidr(ip, cidr))

function matches(rule: StoredRule, flow: Flow): boolean {
  if (rule.protocol !== 'all' && rule.protocol !== flow.protocol) return false
  if (rule.ports && (flow.dport === undefined || flow.dport < rule.ports.start || flow.dport > rule.ports.end)) return false
  if (rule.icmpType !== undefined && rule.icmpType !== flow.icmpType) return false
  if (rule.icmpCode !== undefined && rule.icmpCode !== flow.icmpCode) return false
  return true
}

/** Would the rule set let this flow start? Same semantics as the chains firewallRules renders. */
export function allowed(set: StoredRuleSet, flow: Flow, guestCidr: string | undefined, publicIps: string[]): boolean {
  if (publicIps.includes(flow.dst)) {
    return set.rules.some((rule) => rule.type === 'ingress' && rule.publicIp === flow.dst && inAny(flow.src, rule.sourceCidrs) && matches(rule, flow))
  }
  if (guestCidr && ipv4InCidr(flow.src, guestCidr) && !ipv4InCidr(flow.dst, guestCidr)) {
    const explicit = set.rules.some((rule) => rule.type === 'egress' && inAny(flow.src, rule.sourceCidrs) && inAny(flow.dst, rule.destCidrs) && matches(rule, flow))
    return set.defaultEgressAllow ? !explicit : explicit
  }
  return true
}

/** Exact original tuple, so only this flow goes (never a whole public IP: that would cut every source-NAT flow). */
function tupleFilter(flow: Flow): string[] {
  const base = ['-p', flow.protocol, '--orig-src', flow.src, '--orig-dst', flow.dst]
  if (flow.protocol === 'icmp') {
    return [...base, ...(flow.icmpType === undefined ? [] : ['--icmp-type', String(flow.icmpType)]), ...(flow.icmpCode === undefined ? [] : ['--icmp-code', String(flow.icmpCode)]), ...(flow.icmpId === undefined ? [] : ['--icmp-id', String(flow.icmpId)])]
  }
  if (flow.sport === undefined || flow.dport === undefined) return base
  return [...base, '--orig-port-src', String(flow.sport), '--orig-port-dst', String(flow.dport)]
}

/** Cut the flows the new rule set forbids. conntrack exit 1 (nothing deleted) is success. */
export async function cutForbiddenFlows(namespace: string, set: StoredRuleSet, guestCidr: string | undefined, publicIps: string[]): Promise<number> {
  let listing: string
  try {
    listing = (await runInNamespace(namespace, 'conntrack', ['-L'], {okExitCodes: [1]})).stdout
  } catch (error) {
    log().warn({namespace, err: (error as Error).message}, 'conntrack unavailable; flows the new rules forbid live on until they time out')
    return 0
  }
  let cut = 0
  for (const flow of parseFlows(listing)) {
    if (allowed(set, flow, guestCidr, publicIps)) continue
    await runInNamespace(namespace, 'conntrack', ['-D', ...tupleFilter(flow)], {okExitCodes: [1]})
    cut += 1
  }
  return cut
}

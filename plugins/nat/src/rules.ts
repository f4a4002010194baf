import {chains, publicVethNames} from '../../../src/naming/names.js'
import type {ChainContribution, RulesetSnapshot} from '../../../src/ruleset/types.js'
import type {PortForward, PublicIp, StaticNat} from './state.js'
import {byVlan, defaultRouteOwner, vlanMark} from './topology.js'

export const NAT_PRIORITY = {staticNat: 300, portForward: 400, sourceNat: 500} as const
export const MARK_CHAIN = 'CS_EXTNET_NAT_MARK'

export interface NatView {
  ips: PublicIp[]
  staticNats: StaticNat[]
  portForwards: PortForward[]
}

const range = (start: number, end: number, separator: string) => (start === end ? String(start) : `${start}${separator}${end}`)

/** DNAT target for a forward: ranges map offset-preserving (`ip:c-d/a`) when the two ranges differ. */
export function dnatTarget(rule: PortForward): string {
  const {publicPorts: pub, privatePorts: priv} = rule
  const ports = range(priv.start, priv.end, '-')
  const base = pub.start !== pub.end && pub.start !== priv.start ? `/${pub.start}` : ''
  return `${rule.privateIp}:${ports}${base}`
}

/**
 * Pure: the nat plugin's chain contributions for a namespace. DNAT goes in each network's _PR chain, SNAT in
 * its _POST chain with per-IP (static NAT) rules before the network-wide source-NAT rule, so a static-NAT VM
 * leaves as its own public IP. Connections arriving on a secondary public VLAN are marked so their replies
 * are routed back out through that VLAN.
 */
export function natRules(snapshot: RulesetSnapshot, view: NatView): ChainContribution[] {
  const out: ChainContribution[] = []
  const chosen = snapshot.scope.id
  const ipByAddress = new Map(view.ips.map((ip) => [ip.ip, ip]))
  const vpn = (pvlan: string) => publicVethNames(pvlan, chosen).ns
  for (const network of snapshot.networks) {
    if (network.guestType !== 'isolated') continue
    const id = network.networkId
    const pre: string[][] = []
    const post: string[][] = []
    for (const rule of view.staticNats.filter((r) => r.network === id)) {
      const ip = ipByAddress.get(rule.publicIp)
      if (!ip) continue
      pre.push(['-d', `${rule.publicIp}/32`, '-j', 'DNAT', '--to-destination', rule.privateIp])
      post.push(['-s', `${rule.privateIp}/32`, '-o', vpn(ip.pvlan), '-j', 'SNAT', '--to-source', rule.publicIp])
    }
    if (pre.length > 0) out.push({table: 'nat', chain: chains.natPrerouting(id), priority: NAT_PRIORITY.staticNat, rules: pre})
    if (post.length > 0) out.push({table: 'nat', chain: chains.natPostrouting(id), priority: NAT_PRIORITY.staticNat, rules: post})

    const forwards = view.portForwards
      .filter((r) => r.network === id && ipByAddress.has(r.publicIp))
      .map((r) => ['-d', `${r.publicIp}/32`, '-p', r.protocol, '-m', r.protocol, '--dport', range(r.publicPorts.start, r.publicPorts.end, ':'), '-j', 'DNAT', '--to-destination', dnatTarget(r)])
    if (forwards.length > 0) out.push({table: 'nat', chain: chains.natPrerouting(id), priority: NAT_PRIORITY.portForward, rules: forwards})

    // VPC source NAT belongs to the VPC (vpc plugin); a tier's source_nat flag is recorded, not routed.
    const sourceNat = snapshot.scope.kind === 'network' && network.cidr ? view.ips.filter((ip) => ip.sourceNat && ip.network === id) : []
    if (sourceNat.length > 0) {
      out.push({
        table: 'nat',
        chain: chains.natPostrouting(id),
        priority: NAT_PRIORITY.sourceNat,
        rules: sourceNat.slice(0, 1).map((ip) => ['-s', network.cidr!, '-o', vpn(ip.pvlan), '-j', 'SNAT', '--to-source', ip.ip]),
      })
    }
  }

  const primary = defaultRouteOwner(view.ips, snapshot.scope.kind === 'network')
  const secondary = [...byVlan(view.ips).entries()].filter(([pvlan, ips]) => pvlan !== primary?.pvlan && ips.some((ip) => ip.gateway))
  if (secondary.length > 0) {
    out.push(
      {table: 'mangle', chain: chains.dispatcher('PREROUTING'), priority: 100, rules: [['-j', MARK_CHAIN]]},
      {
        table: 'mangle',
        chain: MARK_CHAIN,
        priority: 100,
        rules: [
          // Only packets from guests take the connection's mark (and so the VLAN's routing table): inbound
          // packets of the same flow must keep routing to the guest through the main table.
          ...snapshot.networks.map((network) => ['-i', network.names.vethNs, '-j', 'CONNMARK', '--restore-mark', '--nfmask', '0xffff', '--ctmask', '0xffff']),
          ...secondary.map(([pvlan]) => ['-i', vpn(pvlan), '-m', 'conntrack', '--ctstate', 'NEW', '-j', 'CONNMARK', '--set-xmark', `0x${vlanMark(pvlan).toString(16)}/0xffff`]),
        ],
      },
    )
  }
  return out
}

import {chains} from '../naming/names.js'
import type {ChainContribution, RulesetSnapshot} from './types.js'

/** Priorities other plugins place their rules around. Lower runs first. */
export const PRIORITY = {
  /** Sanity rules at the very top of a dispatcher. */
  first: 0,
  /** Jumps from a dispatcher into a network's chains. */
  dispatch: 100,
  /** Firewall and ACL plugins jump to their chains before the core's accepts. */
  policy: 200,
  /** The core's accepts inside a network's forward chain. */
  accept: 500,
  /** The dispatcher's final verdict. */
  last: 100_000,
} as const

/**
 * The core's own contribution: isolation for every isolated network in the namespace. Guests reach the outside
 * (source NAT and the firewall plugin decide how); from outside only replies and DNAT'ed flows reach guests,
 * so a router that routes a guest CIDR at the public IP cannot reach VMs directly. Whatever no rule accepts
 * is dropped: the namespace fails closed.
 */
export function coreRules(snapshot: RulesetSnapshot): ChainContribution[] {
  const routed = snapshot.networks.filter((network) => network.guestType === 'isolated')
  if (routed.length === 0) return []
  const forward = chains.dispatcher('FORWARD')
  const prerouting = chains.dispatcher('PREROUTING')
  const postrouting = chains.dispatcher('POSTROUTING')
  const out: ChainContribution[] = [
    {table: 'filter', chain: forward, priority: PRIORITY.first, rules: [['-m', 'conntrack', '--ctstate', 'INVALID', '-j', 'DROP']]},
    {table: 'filter', chain: forward, priority: PRIORITY.last, rules: [['-j', 'DROP']]},
  ]
  for (const network of routed) {
    const guest = network.names.vethNs
    const fwd = chains.forward(network.networkId)
    out.push(
      {table: 'nat', chain: chains.natPrerouting(network.networkId), priority: PRIORITY.dispatch, rules: []},
      {table: 'nat', chain: chains.natPostrouting(network.networkId), priority: PRIORITY.dispatch, rules: []},
      {table: 'nat', chain: prerouting, priority: PRIORITY.dispatch, rules: [['-j', chains.natPrerouting(network.networkId)]]},
      {table: 'nat', chain: postrouting, priority: PRIORITY.dispatch, rules: [['-j', chains.natPostrouting(network.networkId)]]},
      {
        table: 'filter',
        chain: forward,
        priority: PRIORITY.dispatch,
        rules: [
          ['-i', guest, '-j', fwd],
          ['-o', guest, '-j', fwd],
        ],
      },
      {
        table: 'filter',
        chain: fwd,
        priority: PRIORITY.accept,
        rules: [
          ['-o', guest, '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT'],
          ['-o', guest, '-m', 'conntrack', '--ctstate', 'DNAT', '-j', 'ACCEPT'],
          ['-i', guest, '-j', 'ACCEPT'],
        ],
      },
    )
  }
  return out
}

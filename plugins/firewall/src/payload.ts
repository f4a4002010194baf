import * as z from 'zod/mini'

import {bool, cidrv4, ipv4, jsonValue, optional} from '../../../src/protocol/fields.js'
import {networkFields} from '../../../src/protocol/network-payload.js'

const number = z.pipe(
  z.union([z.number(), z.string()]),
  z.transform((value: number | string, ctx) => {
    const parsed = Number(value)
    if (!Number.isInteger(parsed)) ctx.issues.push({code: 'custom', message: 'must be a whole number', input: value})
    return parsed
  }),
)

const protocolName = z.pipe(
  z.optional(z.nullable(z.string())),
  z.transform((value: string | null | undefined, ctx) => {
    const lower = (value ?? '').trim().toLowerCase() || 'all'
    if (!['tcp', 'udp', 'icmp', 'all'].includes(lower)) ctx.issues.push({code: 'custom', message: 'must be tcp, udp, icmp or all', input: value})
    return lower as 'tcp' | 'udp' | 'icmp' | 'all'
  }),
)

const trafficType = z.pipe(
  z.string(),
  z.transform((value: string, ctx) => {
    const lower = value.trim().toLowerCase()
    if (lower !== 'ingress' && lower !== 'egress') ctx.issues.push({code: 'custom', message: 'must be ingress or egress', input: value})
    return lower as 'ingress' | 'egress'
  }),
)

const cidrs = z.pipe(
  z.optional(z.nullable(z.array(z.string()))),
  z.transform((value: string[] | null | undefined, ctx) => {
    const out: string[] = []
    for (const entry of value ?? []) {
      const parsed = cidrv4.safeParse(entry.includes('/') ? entry : `${entry}/32`)
      if (parsed.success) out.push(parsed.data)
      else ctx.issues.push({code: 'custom', message: `"${entry}" is not an IPv4 CIDR`, input: entry})
    }
    return out
  }),
)

/** One CloudStack firewall rule (cloudstack-protocol.md §2.6). */
export const firewallRule = z.looseObject({
  id: optional(number),
  type: trafficType,
  protocol: protocolName,
  portStart: optional(number),
  portEnd: optional(number),
  icmpType: optional(number),
  icmpCode: optional(number),
  publicIp: optional(ipv4),
  sourceCidrs: cidrs,
  destCidrs: cidrs,
})
export type FirewallRule = z.output<typeof firewallRule>

export const firewallRules = z.looseObject({
  default_egress_allow: z._default(bool, true),
  cidr: optional(cidrv4),
  rules: z._default(z.array(firewallRule), []),
})
export type FirewallRuleSet = z.output<typeof firewallRules>

export const applyFwRulesPayload = z.looseObject({
  ...networkFields,
  /** An empty or absent rule set means default egress allow and no rules (still turning default-deny on). */
  fw_rules: optional(jsonValue(firewallRules)),
})
export type ApplyFwRulesPayload = z.output<typeof applyFwRulesPayload>

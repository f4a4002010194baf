import {stableMac} from '../../../src/network/record.js'
import type {Attachment} from '../../../src/links/plan.js'
import {bridgeName, publicVethNames, vlanDeviceName} from '../../../src/naming/names.js'
import {UNTAGGED} from '../../../src/protocol/fields.js'
import type {PublicIp} from './state.js'

/** Public VLAN → its IPs. */
export function byVlan(ips: PublicIp[]): Map<string, PublicIp[]> {
  const groups = new Map<string, PublicIp[]>()
  for (const ip of [...ips].sort((a, b) => a.ip.localeCompare(b.ip))) groups.set(ip.pvlan, [...(groups.get(ip.pvlan) ?? []), ip])
  return groups
}

/** The namespace's attachment to one public VLAN: its IPs on the `vpn` end, host routes through `vph`. */
export function publicAttachment(namespace: string, chosenId: string, pvlan: string, ips: PublicIp[]): Attachment {
  const device = ips[0]?.device ?? 'eth1'
  const veth = publicVethNames(pvlan, chosenId)
  const attachment: Attachment = {
    namespace,
    parentDevice: device,
    vlanDevice: vlanDeviceName(device, pvlan),
    bridge: bridgeName(device, pvlan),
    vethHost: veth.host,
    vethNs: veth.ns,
    mac: stableMac(`${namespace}/${veth.ns}`),
    addresses: ips.map((ip) => `${ip.ip}/${ip.prefix}`),
    hostRoutes: ips.map((ip) => `${ip.ip}/32`),
  }
  if (pvlan !== UNTAGGED) attachment.vlanId = Number(pvlan)
  return attachment
}

/**
 * Who owns the namespace's default route: the source-NAT IP (isolated networks), else the earliest-assigned
 * IP with a gateway. Assigning another IP never moves it.
 */
export function defaultRouteOwner(ips: PublicIp[], routesSourceNat: boolean): PublicIp | undefined {
  const withGateway = ips.filter((ip) => ip.gateway)
  const sourceNat = routesSourceNat ? withGateway.find((ip) => ip.sourceNat) : undefined
  return sourceNat ?? [...withGateway].sort((a, b) => a.since - b.since || a.ip.localeCompare(b.ip))[0]
}

/** Connection mark and routing table of a secondary public VLAN (replies leave through their own veth). */
export function vlanMark(pvlan: string): number {
  return pvlan === UNTAGGED ? 4095 : Number(pvlan)
}

export function vlanTable(pvlan: string): number {
  return 10_000 + vlanMark(pvlan)
}

export const RULE_PRIORITY = {fromPublic: 20_000, fwmark: 20_100, fromPrivate: 20_200} as const

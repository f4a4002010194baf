import {createHash} from 'node:crypto'

import {InputError} from '../core/errors.js'
import type {Attachment} from '../links/plan.js'
import {bridgeName, chosenId, guestVethNames, namespaceName, vlanDeviceName} from '../naming/names.js'
import {networkOf, prefixLength, UNTAGGED} from '../protocol/fields.js'
import type {NetworkPayload} from '../protocol/network-payload.js'
import type {NetworkRecord} from '../state/store.js'

const DEVICE = /^[A-Za-z0-9_.:-]{1,15}$/

export function hostDevice(physical: Record<string, string>, key: 'guest.network.device' | 'public.network.device'): string {
  const device = physical[key]?.trim() || 'eth1'
  if (!DEVICE.test(device)) throw new InputError(`physical network detail "${key}" must be an interface name, got ${JSON.stringify(device)}`)
  return device
}

function ipv4ToInt(address: string): number {
  return address.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0)
}

export function ipv4InCidr(address: string, cidr: string): boolean {
  const [network = '', bits = '32'] = networkOf(cidr).split('/')
  const size = 2 ** (32 - Number(bits))
  const start = ipv4ToInt(network)
  const value = ipv4ToInt(address)
  return value >= start && value < start + size
}

/**
 * The network as csnet will build it: payload values, falling back to what state already knows (CloudStack
 * omits fields on some calls and generation 1 never sends guest_type).
 */
export function networkRecordFrom(
  payload: NetworkPayload,
  previous: NetworkRecord | undefined,
  physical: Record<string, string>,
): NetworkRecord {
  const vlan = payload.vlan ?? previous?.vlan
  if (!vlan) throw new InputError('implement-network: field "vlan" is required (no VLAN is recorded for this network)')
  const gateway = payload.gateway ?? previous?.gateway
  const cidr = payload.cidr ? networkOf(payload.cidr) : previous?.cidr
  const extensionIp = payload.extension_ip ?? gateway ?? previous?.extensionIp
  if (extensionIp && cidr && !ipv4InCidr(extensionIp, cidr)) {
    throw new InputError(`implement-network: extension ip ${extensionIp} is outside the guest CIDR ${cidr}`)
  }
  if (gateway && cidr && !ipv4InCidr(gateway, cidr)) {
    throw new InputError(`implement-network: field "gateway" ${gateway} is outside the guest CIDR ${cidr}`)
  }
  const scope = {networkId: payload.network_id, vpcId: payload.vpc_id}
  const guestDevice = hostDevice(physical, 'guest.network.device')
  const veth = guestVethNames(vlan, chosenId(scope))
  const names = {
    vethHost: veth.host,
    vethNs: veth.ns,
    bridge: bridgeName(guestDevice, vlan),
    vlanDevice: vlanDeviceName(guestDevice, vlan),
  }
  const record: NetworkRecord = {
    format: 1,
    networkId: payload.network_id,
    guestType: payload.guest_type ?? previous?.guestType ?? 'isolated',
    vlan,
    guestDevice,
    publicDevice: hostDevice(physical, 'public.network.device'),
    namespace: namespaceName(scope),
    names,
    implemented: true,
  }
  if (payload.vpc_id) record.vpcId = payload.vpc_id
  if (gateway) record.gateway = gateway
  if (cidr) record.cidr = cidr
  if (extensionIp) record.extensionIp = extensionIp
  const ip6Gateway = payload.network_ip6_gateway ?? previous?.ip6Gateway
  const ip6Cidr = payload.network_ip6_cidr ?? previous?.ip6Cidr
  if (ip6Gateway) record.ip6Gateway = ip6Gateway
  if (ip6Cidr) record.ip6Cidr = ip6Cidr
  const dns6 = payload.dns6 ?? previous?.dns6
  if (dns6 && dns6.length > 0) record.dns6 = dns6
  return record
}

export function guestAttachmentOf(record: NetworkRecord): Attachment {
  const addresses: string[] = []
  if (record.extensionIp && record.cidr) addresses.push(`${record.extensionIp}/${prefixLength(record.cidr)}`)
  if (record.ip6Gateway && record.ip6Cidr) addresses.push(`${record.ip6Gateway}/${prefixLength(record.ip6Cidr)}`)
  const attachment: Attachment = {
    namespace: record.namespace,
    parentDevice: record.guestDevice,
    vlanDevice: record.names.vlanDevice,
    bridge: record.names.bridge,
    vethHost: record.names.vethHost,
    vethNs: record.names.vethNs,
    mac: stableMac(`${record.namespace}/${record.names.vethNs}`),
    addresses,
  }
  if (record.vlan && record.vlan !== UNTAGGED) attachment.vlanId = Number(record.vlan)
  if (record.gateway && record.extensionIp && record.gateway !== record.extensionIp) attachment.defaultRoute = record.gateway
  return attachment
}

/** Kernel settings of a network's namespace: forwarding only where csnet routes, reverse-path filtering on. */
export function namespaceSysctls(records: NetworkRecord[]): Record<string, string> {
  const routed = records.some((record) => record.guestType === 'isolated')
  const settings: Record<string, string> = {
    'net.ipv4.ip_forward': routed ? '1' : '0',
    // Reverse-path filtering per interface (the kernel applies max(all, interface)): strict on every guest
    // veth and by default; the nat plugin sets its public veths loose, where multi-VLAN routing is asymmetric.
    'net.ipv4.conf.all.rp_filter': '0',
    'net.ipv4.conf.default.rp_filter': '1',
    // Removing one address of a subnet must not take the others of that subnet with it (release-ip).
    'net.ipv4.conf.all.promote_secondaries': '1',
    'net.ipv4.conf.default.promote_secondaries': '1',
  }
  for (const record of records) {
    const device = record.names.vethNs
    settings[`net.ipv4.conf.${device}.rp_filter`] = '1'
    if (record.ip6Gateway && record.ip6Cidr) {
      Object.assign(settings, {
        'net.ipv6.conf.all.disable_ipv6': '0',
        'net.ipv6.conf.default.disable_ipv6': '0',
        'net.ipv6.conf.all.forwarding': routed ? '1' : '0',
        'net.ipv6.conf.all.accept_dad': '0',
        'net.ipv6.conf.default.accept_dad': '0',
        [`net.ipv6.conf.${device}.disable_ipv6`]: '0',
        [`net.ipv6.conf.${device}.accept_dad`]: '0',
        [`net.ipv6.conf.${device}.use_tempaddr`]: '0',
      })
    } else {
      settings[`net.ipv6.conf.${device}.disable_ipv6`] = '1'
    }
  }
  return settings
}

/** A locally administered unicast MAC derived from a name: the same device always gets the same address. */
export function stableMac(name: string): string {
  const bytes = createHash('sha256').update(name).digest().subarray(0, 5)
  return ['02', ...[...bytes].map((byte) => byte.toString(16).padStart(2, '0'))].join(':')
}

/** Who uses a network's guest-side shared devices, in the host-device registry. */
export function networkUser(record: {networkId: string}): string {
  return `network-${record.networkId}`
}

/** Who claims a network's guest veth name: its VPC for tiers (the veth is named after the VPC), else itself. */
export function vethOwner(record: {networkId: string; vpcId?: string | undefined}): string {
  return record.vpcId ? `vpc-${record.vpcId}` : `network-${record.networkId}`
}

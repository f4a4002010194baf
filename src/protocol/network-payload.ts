import * as z from 'zod/mini'

import {cidrv4, cidrv6, dnsList, id, ipv4, ipv6, optional, vlan, word} from './fields.js'

/** The standard network field set (cloudstack-protocol.md §2.1) plus extension_ip and the IPv6 trio. */
export const networkFields = {
  network_id: id,
  vpc_id: optional(id),
  zone_id: optional(id),
  vlan: optional(vlan),
  guest_type: optional(word),
  network_state: optional(word),
  gateway: optional(ipv4),
  cidr: optional(cidrv4),
  extension_ip: optional(ipv4),
  network_ip6_gateway: optional(ipv6),
  network_ip6_cidr: optional(cidrv6),
  dns6: optional(dnsList),
}

export const networkPayload = z.looseObject(networkFields)
export type NetworkPayload = z.output<typeof networkPayload>

/** States in which CloudStack is tearing a network down: a missing namespace then means "already done". */
export const TEARDOWN_STATES = new Set(['shutdown', 'destroy', 'allocated'])

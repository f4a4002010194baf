import * as z from 'zod/mini'

import {bool, cidrv4, ipv4, optional, portRange, protocol, vlan} from '../../../src/protocol/fields.js'
import {networkFields} from '../../../src/protocol/network-payload.js'

const publicIpFields = {
  ...networkFields,
  public_ip: ipv4,
  public_vlan: optional(vlan),
  public_gateway: optional(ipv4),
  public_cidr: optional(cidrv4),
  source_nat: optional(bool),
}

export const publicIpPayload = z.looseObject(publicIpFields)
export type PublicIpPayload = z.output<typeof publicIpPayload>

export const staticNatPayload = z.looseObject({...publicIpFields, private_ip: ipv4})
export type StaticNatPayload = z.output<typeof staticNatPayload>

export const portForwardPayload = z.looseObject({
  ...publicIpFields,
  private_ip: ipv4,
  public_port: portRange,
  private_port: portRange,
  protocol: optional(protocol),
})
export type PortForwardPayload = z.output<typeof portForwardPayload>

import {createHash} from 'node:crypto'
import CRC32 from 'crc-32'

import {UNTAGGED} from '../protocol/fields.js'

/** Linux IFNAMSIZ minus the NUL. */
export const MAX_INTERFACE_NAME = 15
/** iptables refuses chain names of 29 characters or more. */
export const MAX_CHAIN_NAME = 28
export const CHAIN_PREFIX = 'CS_EXTNET_'

export function crc32Hex(text: string): string {
  return (CRC32.str(text) >>> 0).toString(16).padStart(8, '0')
}

export function namespaceName(scope: {networkId: string; vpcId?: string | undefined}): string {
  return scope.vpcId ? `cs-vpc-${scope.vpcId}` : `cs-net-${scope.networkId}`
}

/** The id a network's devices are named after: the VPC for tiers (the reference's CHOSEN_ID). */
export function chosenId(scope: {networkId: string; vpcId?: string | undefined}): string {
  return scope.vpcId ?? scope.networkId
}

/**
 * The reference's shorten_id: `printf %x` of the id when printf reads it as an integer (decimal, 0-octal,
 * 0x-hex, negative as 64-bit two's complement), otherwise the first 6 hex digits of md5(id).
 */
export function shortenId(id: string): string {
  let value: bigint | undefined
  const negative = id.startsWith('-')
  const digits = negative ? id.slice(1) : id
  if (/^0x[0-9a-f]+$/i.test(digits)) value = BigInt(digits)
  else if (/^0[0-7]+$/.test(digits)) value = BigInt(`0o${digits.slice(1)}`)
  else if (/^[0-9]+$/.test(digits)) value = BigInt(digits)
  if (value === undefined) return createHash('md5').update(id).digest('hex').slice(0, 6)
  if (negative) value = (1n << 64n) - value
  return value.toString(16)
}

/**
 * One naming scheme for every interface csnet creates:
 * 1. the reference's name `<prefix>-<vlan>-<id>` when it fits 15 characters;
 * 2. the reference's shortened form `<prefix>-<vlan>-<shorten_id(id)>` when that fits;
 * 3. otherwise `<prefix><vlan>-<crc32>` (no dash after the prefix, so it can never equal a reference-form
 *    name), or `<prefix>-<crc32>` when even that is too long. Where the reference truncated (and could
 *    collide), csnet hashes; the name registry refuses the rare hash collision.
 */
export function interfaceName(prefix: string, vlanToken: string, id: string): string {
  const full = `${prefix}-${vlanToken}-${id}`
  if (full.length <= MAX_INTERFACE_NAME) return full
  const short = `${prefix}-${vlanToken}-${shortenId(id)}`
  if (short.length <= MAX_INTERFACE_NAME) return short
  return hashedName(prefix, vlanToken, `${vlanToken}:${id}`)
}

function hashedName(prefix: string, vlanToken: string, key: string): string {
  const hash = crc32Hex(key)
  const room = MAX_INTERFACE_NAME - prefix.length - vlanToken.length - 1
  if (room >= 6) return `${prefix}${vlanToken}-${hash.slice(0, room)}`
  return `${prefix}-${hash}`
}

export function guestVethNames(vlanToken: string, id: string): {host: string; ns: string} {
  return {host: interfaceName('vh', vlanToken, id), ns: interfaceName('vn', vlanToken, id)}
}

export function publicVethNames(vlanToken: string, id: string): {host: string; ns: string} {
  return {host: interfaceName('vph', vlanToken, id), ns: interfaceName('vpn', vlanToken, id)}
}

/** `br<eth>-<vlan>` (e.g. breth1-1910), hashed when the NIC name makes it too long. */
export function bridgeName(device: string, vlanToken: string): string {
  const full = `br${device}-${vlanToken}`
  if (full.length <= MAX_INTERFACE_NAME) return full
  return hashedName('br', vlanToken, `${device}.${vlanToken}`)
}

/** `<eth>.<vlan>`; the NIC itself when untagged; hashed when the NIC name makes it too long. */
export function vlanDeviceName(device: string, vlanToken: string): string {
  if (vlanToken === UNTAGGED) return device
  const full = `${device}.${vlanToken}`
  if (full.length <= MAX_INTERFACE_NAME) return full
  return `v${crc32Hex(device)}.${vlanToken}`
}

/** Chain names as the reference builds them, with the id hashed when the result would exceed iptables' limit. */
export function chainName(before: string, id: string, after = ''): string {
  const full = `${CHAIN_PREFIX}${before}${id}${after}`
  if (full.length <= MAX_CHAIN_NAME) return full
  return `${CHAIN_PREFIX}${before}${crc32Hex(id)}${after}`
}

export const chains = {
  natPrerouting: (networkId: string) => chainName('', networkId, '_PR'),
  natPostrouting: (networkId: string) => chainName('', networkId, '_POST'),
  forward: (networkId: string) => chainName('FWD_', networkId),
  firewallRules: (networkId: string) => chainName('FWRULES_', networkId),
  acl: (networkId: string) => chainName('ACL_', networkId),
  firewallIngress: (publicIp: string) => chainName('FWI_', publicIp),
  vpcPostrouting: (vpcId: string) => chainName('', vpcId, '_VPC_POST'),
  /** csnet's per-table dispatchers: the only chains a built-in chain jumps to. */
  dispatcher: (builtin: string) => `${CHAIN_PREFIX}${builtin}`,
}

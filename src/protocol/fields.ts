import {z} from 'zod'

/**
 * Field types for CloudStack payloads. Each accepts the caller variance documented in cloudstack-protocol.md
 * §2.12 (numbers or strings, `vlan://` prefixes, JSON or "true"/"false" booleans, upper-case protocols) and
 * yields one canonical typed value, so nothing downstream re-checks or re-parses.
 */

const scalar = z.union([z.string(), z.number()]).transform((value) => String(value).trim())

/** CloudStack sends "" for unset optional values; treat it as absent. */
export function optional<T extends z.ZodType>(schema: T) {
  return z.preprocess((value) => (value === '' || value === null ? undefined : value), schema.optional())
}

/** Internal ids are numeric; the reference also names uuid-like ids. Nothing that could reach a shell or a path. */
export const id = scalar.pipe(
  z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'must be an id made of letters, digits, "-" or "_"'),
)

export const UNTAGGED = 'untagged'

/** A VLAN tag: "100", 100, "vlan://100", or "untagged". */
export const vlan = scalar.transform((value, ctx) => {
  const tag = value.replace(/^vlan:\/\//i, '')
  if (/^untagged$/i.test(tag)) return UNTAGGED
  if (/^\d{1,4}$/.test(tag) && Number(tag) >= 1 && Number(tag) <= 4094) return String(Number(tag))
  ctx.addIssue({code: 'custom', message: 'must be a VLAN id 1-4094, "vlan://<id>" or "untagged"'})
  return z.NEVER
})

export const ipv4 = scalar.pipe(z.ipv4({message: 'must be an IPv4 address'}))
export const ipv6 = scalar.pipe(z.ipv6({message: 'must be an IPv6 address'}))

/** An IPv4 CIDR; canonicalised to the network address, as iptables and ip print it. */
export const cidrv4 = scalar.pipe(z.cidrv4({message: 'must be an IPv4 CIDR such as 10.1.1.0/24'}))

/** An IPv6 CIDR. */
export const cidrv6 = scalar.pipe(z.cidrv6({message: 'must be an IPv6 CIDR such as 2001:db8::/64'}))

export const mac = scalar.pipe(
  z
    .string()
    .regex(/^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$/, 'must be a MAC address such as 02:00:11:22:33:44')
    .transform((value) => value.toLowerCase()),
)

export const bool = z.union([z.boolean(), z.number(), z.string()]).transform((value, ctx) => {
  if (typeof value === 'boolean') return value
  const text = String(value).trim().toLowerCase()
  if (['true', '1', 'yes'].includes(text)) return true
  if (['false', '0', 'no'].includes(text)) return false
  ctx.addIssue({code: 'custom', message: 'must be true or false'})
  return z.NEVER
})

export interface PortRange {
  start: number
  end: number
}

/** "22", 22, "8080-8090" or "8080:8090". */
export const portRange = scalar.transform((value, ctx): PortRange => {
  const match = /^(\d{1,5})(?:[-:](\d{1,5}))?$/.exec(value)
  const start = Number(match?.[1])
  const end = match?.[2] === undefined ? start : Number(match[2])
  if (!match || start < 1 || end > 65535 || end < start) {
    ctx.addIssue({code: 'custom', message: 'must be a port 1-65535 or a range such as 8080-8090'})
    return z.NEVER
  }
  return {start, end}
})

export const protocol = scalar.pipe(
  z
    .string()
    .transform((value) => value.toLowerCase())
    .pipe(z.enum(['tcp', 'udp', 'icmp', 'all'], {message: 'must be tcp, udp, icmp or all'})),
)

const LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/
export const hostname = scalar.pipe(
  z.string().refine((value) => value.length <= 253 && value.split('.').every((part) => LABEL.test(part)), {
    message: 'must be a DNS host name',
  }),
)
export const domain = hostname

/** "8.8.8.8,1.1.1.1"; CloudStack writes a missing first resolver as the literal "null". */
export const dnsList = scalar.transform((value, ctx) => {
  const servers = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '' && entry !== 'null')
  for (const server of servers) {
    if (!z.ipv4().safeParse(server).success && !z.ipv6().safeParse(server).success) {
      ctx.addIssue({code: 'custom', message: `"${server}" is not an IP address`})
      return z.NEVER
    }
  }
  return servers
})

/**
 * Rule payloads arrive as native JSON (generation 2), as a JSON string, or as base64 of JSON (generation 1
 * files and the protocol README).
 */
export function jsonValue<T extends z.ZodType>(schema: T) {
  return z.unknown().transform((value, ctx) => {
    if (typeof value !== 'string') return value
    const decoded = decodeJsonText(value)
    if (decoded === undefined) {
      ctx.addIssue({code: 'custom', message: 'must be JSON or base64-encoded JSON'})
      return z.NEVER
    }
    return decoded
  }).pipe(schema)
}

export function decodeJsonText(text: string): unknown {
  const trimmed = text.trim()
  if (trimmed === '') return undefined
  try {
    return JSON.parse(trimmed)
  } catch {}
  if (!/^[A-Za-z0-9+/=\s_-]+$/.test(trimmed)) return undefined
  try {
    const utf8 = new TextDecoder('utf-8', {fatal: true}).decode(Buffer.from(trimmed, 'base64'))
    return JSON.parse(utf8)
  } catch {
    return undefined
  }
}

/** Prefix length of an IPv4 CIDR-ish value ("203.0.113.5/24" or "203.0.113.0/24"). */
export function prefixLength(cidr: string): number {
  return Number(cidr.split('/')[1])
}

/** Canonical network address of an IPv4 CIDR ("10.1.1.7/24" → "10.1.1.0/24"). */
export function networkOf(cidr: string): string {
  const [address = '', bits = '32'] = cidr.split('/')
  const prefix = Number(bits)
  const value = address.split('.').reduce((acc, octet) => (acc << 8) + Number(octet), 0) >>> 0
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0
  const net = (value & mask) >>> 0
  return `${[24, 16, 8, 0].map((shift) => (net >>> shift) & 0xff).join('.')}/${prefix}`
}

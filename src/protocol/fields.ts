import * as z from 'zod/mini'

/**
 * Field types for CloudStack payloads. Each accepts the caller variance documented in cloudstack-protocol.md
 * §2.12 (numbers or strings, `vlan://` prefixes, JSON or "true"/"false" booleans, upper-case protocols) and
 * yields one canonical typed value, so nothing downstream re-checks or re-parses.
 *
 * zod/mini (functional API): the whole validation layer costs ~20 KB to load instead of ~450 KB.
 */

type Ctx = z.core.ParsePayload

/** Record a validation problem from inside a transform. */
function reject(ctx: Ctx, message: string): never {
  ctx.issues.push({code: 'custom', message, input: ctx.value})
  return z.NEVER as never
}

/** Scalars arrive as strings or numbers; everything is trimmed text from here on. */
function scalarTo<T>(convert: (text: string, ctx: Ctx) => T) {
  return z.pipe(
    z.union([z.string(), z.number()], {error: 'must be a string or a number'}),
    z.transform((value: string | number, ctx) => convert(String(value).trim(), ctx)),
  )
}

/** CloudStack sends "" for unset optional values; treat it (and null) as absent. */
export function optional<T extends z.core.$ZodType>(schema: T): z.ZodMiniType<z.output<T> | undefined, unknown> {
  return z.pipe(
    z.transform((value: unknown): unknown => (value === '' || value === null ? undefined : value)),
    z.optional(schema) as z.core.$ZodType,
  ) as unknown as z.ZodMiniType<z.output<T> | undefined, unknown>
}

function matching(pattern: RegExp, message: string) {
  return scalarTo((text, ctx) => (pattern.test(text) ? text : reject(ctx, message)))
}

/** Internal ids are numeric; the reference also names uuid-like ids. Nothing that could reach a shell or a path. */
export const id = matching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'must be an id made of letters, digits, "-" or "_"')

export const UNTAGGED = 'untagged'

/** A VLAN tag: "100", 100, "vlan://100", or "untagged". */
export const vlan = scalarTo((value, ctx) => {
  const tag = value.replace(/^vlan:\/\//i, '')
  if (/^untagged$/i.test(tag)) return UNTAGGED
  if (/^\d{1,4}$/.test(tag) && Number(tag) >= 1 && Number(tag) <= 4094) return String(Number(tag))
  return reject(ctx, 'must be a VLAN id 1-4094, "vlan://<id>" or "untagged"')
})

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/

export function isIpv4(text: string): boolean {
  return IPV4.test(text)
}

export function isIpv6(text: string): boolean {
  return z.ipv6().safeParse(text).success
}

export const ipv4 = scalarTo((value, ctx) => (isIpv4(value) ? value : reject(ctx, 'must be an IPv4 address')))
export const ipv6 = scalarTo((value, ctx) => (isIpv6(value) ? value.toLowerCase() : reject(ctx, 'must be an IPv6 address')))

/** An IPv4 CIDR (host bits allowed: generation 1 sends public CIDRs as `<public-ip>/<prefix>`). */
export const cidrv4 = scalarTo((value, ctx) => {
  const [address = '', bits, extra] = value.split('/')
  const prefix = Number(bits)
  if (extra !== undefined || !isIpv4(address) || !/^\d{1,2}$/.test(bits ?? '') || prefix > 32) {
    return reject(ctx, 'must be an IPv4 CIDR such as 10.1.1.0/24')
  }
  return `${address}/${prefix}`
})

/** An IPv6 CIDR. */
export const cidrv6 = scalarTo((value, ctx) => {
  const [address = '', bits, extra] = value.split('/')
  const prefix = Number(bits)
  if (extra !== undefined || !isIpv6(address) || !/^\d{1,3}$/.test(bits ?? '') || prefix > 128) {
    return reject(ctx, 'must be an IPv6 CIDR such as 2001:db8::/64')
  }
  return `${address.toLowerCase()}/${prefix}`
})

export const mac = scalarTo((value, ctx) =>
  /^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$/.test(value) ? value.toLowerCase() : reject(ctx, 'must be a MAC address such as 02:00:11:22:33:44'),
)

export const bool = z.pipe(
  z.union([z.boolean(), z.number(), z.string()], {error: 'must be true or false'}),
  z.transform((value: boolean | number | string, ctx) => {
    if (typeof value === 'boolean') return value
    const text = String(value).trim().toLowerCase()
    if (['true', '1', 'yes'].includes(text)) return true
    if (['false', '0', 'no'].includes(text)) return false
    return reject(ctx, 'must be true or false')
  }),
)

export interface PortRange {
  start: number
  end: number
}

/** "22", 22, "8080-8090" or "8080:8090". */
export const portRange = scalarTo((value, ctx): PortRange => {
  const match = /^(\d{1,5})(?:[-:](\d{1,5}))?$/.exec(value)
  const start = Number(match?.[1])
  const end = match?.[2] === undefined ? start : Number(match[2])
  if (!match || start < 1 || end > 65535 || end < start) return reject(ctx, 'must be a port 1-65535 or a range such as 8080-8090')
  return {start, end}
})

export const PROTOCOLS = ['tcp', 'udp', 'icmp', 'all'] as const
export type Protocol = (typeof PROTOCOLS)[number]

export const protocol = scalarTo((value, ctx): Protocol => {
  const lower = value.toLowerCase()
  return (PROTOCOLS as readonly string[]).includes(lower) ? (lower as Protocol) : reject(ctx, 'must be tcp, udp, icmp or all')
})

const LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/
export const hostname = scalarTo((value, ctx) =>
  value.length <= 253 && value.split('.').every((part) => LABEL.test(part)) ? value : reject(ctx, 'must be a DNS host name'),
)
export const domain = hostname

/** "8.8.8.8,1.1.1.1"; CloudStack writes a missing first resolver as the literal "null". */
export const dnsList = scalarTo((value, ctx) => {
  const servers = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '' && entry !== 'null')
  const bad = servers.find((server) => !isIpv4(server) && !isIpv6(server))
  return bad === undefined ? servers : reject(ctx, `"${bad}" is not an IP address`)
})

/** Lower-cased free text such as guest_type or network_state. */
export const word = scalarTo((value, ctx) => (/^[A-Za-z0-9_-]{1,32}$/.test(value) ? value.toLowerCase() : reject(ctx, 'must be a single word')))

/**
 * Rule payloads arrive as native JSON (generation 2), as a JSON string, or as base64 of JSON (generation 1
 * files and the protocol README).
 */
export function jsonValue<T extends z.core.$ZodType>(schema: T) {
  return z.pipe(
    z.transform((value: unknown, ctx) => {
      if (typeof value !== 'string') return value
      const decoded = decodeJsonText(value)
      return decoded === undefined ? reject(ctx, 'must be JSON or base64-encoded JSON') : decoded
    }),
    schema,
  )
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

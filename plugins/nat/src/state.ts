import {readdirSync, readFileSync, rmSync} from 'node:fs'
import {join} from 'node:path'

import type {PortRange} from '../../../src/protocol/fields.js'
import {writeFileIfChanged} from '../../../src/state/atomic.js'

/** A public IP on a namespace: everything a rebuild needs, beside the reference's flag/.pvlan/.tier files. */
export interface PublicIp {
  ip: string
  prefix: number
  gateway?: string
  pvlan: string
  /** Host NIC carrying the public VLAN (public.network.device). */
  device: string
  /** Network (tier) that assigned it. */
  network: string
  sourceNat: boolean
  /** When it was first assigned: the earliest IP with a gateway owns the default route when no IP is source NAT. */
  since: number
}

export interface StaticNat {
  publicIp: string
  privateIp: string
  network: string
}

export interface PortForward {
  protocol: 'tcp' | 'udp'
  publicIp: string
  publicPorts: PortRange
  privateIp: string
  privatePorts: PortRange
  network: string
}

const ports = (range: PortRange, separator: string) => (range.start === range.end ? String(range.start) : `${range.start}${separator}${range.end}`)

/** The reference's port-forward file name: `<proto>_<publicIp>_<publicPort with ':' → '-'>`. */
export function portForwardKey(rule: Pick<PortForward, 'protocol' | 'publicIp' | 'publicPorts'>): string {
  return `${rule.protocol}_${rule.publicIp}_${ports(rule.publicPorts, '-')}`
}

function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T
  } catch {
    return undefined
  }
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim()
  } catch {
    return undefined
  }
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir).filter((name) => !name.startsWith('.')).sort()
  } catch {
    return []
  }
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/

/**
 * NAT state of one namespace, in the reference layout under the network dir (isolated) or the VPC dir:
 *   ips/<ip> (true|false) · ips/<ip>.pvlan · ips/<ip>.tier · ips/<ip>.json (csnet)
 *   static-nat/<publicIp> (private ip) · static-nat/<publicIp>.json
 *   port-forward/<proto>_<ip>_<ports> ("proto ip pubports privip privports") · .json
 * Files the bash wrapper wrote without the .json are read too, so a host migrates in place.
 */
export class NatState {
  constructor(readonly scopeDir: string, private readonly defaultNetwork: string) {}

  private dir(kind: 'ips' | 'static-nat' | 'port-forward'): string {
    return join(this.scopeDir, kind)
  }

  ips(): PublicIp[] {
    const dir = this.dir('ips')
    return list(dir)
      .filter((name) => IPV4.test(name))
      .map((ip) => {
        const record = readJson<PublicIp>(join(dir, `${ip}.json`))
        if (record) return record
        return {
          ip,
          prefix: 32,
          pvlan: readText(join(dir, `${ip}.pvlan`)) ?? '',
          device: 'eth1',
          network: readText(join(dir, `${ip}.tier`)) ?? this.defaultNetwork,
          sourceNat: readText(join(dir, ip)) === 'true',
          since: 0,
        }
      })
      .filter((record) => record.pvlan !== '')
  }

  ip(address: string): PublicIp | undefined {
    return this.ips().find((record) => record.ip === address)
  }

  putIp(record: PublicIp): void {
    const dir = this.dir('ips')
    writeFileIfChanged(join(dir, record.ip), `${record.sourceNat}\n`)
    writeFileIfChanged(join(dir, `${record.ip}.pvlan`), `${record.pvlan}\n`)
    writeFileIfChanged(join(dir, `${record.ip}.tier`), `${record.network}\n`)
    writeFileIfChanged(join(dir, `${record.ip}.json`), `${JSON.stringify(record)}\n`)
  }

  removeIp(address: string): void {
    for (const suffix of ['', '.pvlan', '.tier', '.json']) rmSync(join(this.dir('ips'), `${address}${suffix}`), {force: true})
  }

  staticNats(): StaticNat[] {
    const dir = this.dir('static-nat')
    return list(dir)
      .filter((name) => IPV4.test(name))
      .map((publicIp) => readJson<StaticNat>(join(dir, `${publicIp}.json`)) ?? {publicIp, privateIp: readText(join(dir, publicIp)) ?? '', network: this.defaultNetwork})
      .filter((rule) => IPV4.test(rule.privateIp))
  }

  putStaticNat(rule: StaticNat): void {
    const dir = this.dir('static-nat')
    writeFileIfChanged(join(dir, rule.publicIp), `${rule.privateIp}\n`)
    writeFileIfChanged(join(dir, `${rule.publicIp}.json`), `${JSON.stringify(rule)}\n`)
  }

  removeStaticNat(publicIp: string): void {
    for (const suffix of ['', '.json']) rmSync(join(this.dir('static-nat'), `${publicIp}${suffix}`), {force: true})
  }

  portForwards(): PortForward[] {
    const dir = this.dir('port-forward')
    const rules: PortForward[] = []
    for (const name of list(dir)) {
      if (name.endsWith('.json')) continue
      const record = readJson<PortForward>(join(dir, `${name}.json`)) ?? this.parseReferenceForward(readText(join(dir, name)))
      if (record) rules.push(record)
    }
    return rules
  }

  private parseReferenceForward(text: string | undefined): PortForward | undefined {
    const [protocol, publicIp, publicPorts, privateIp, privatePorts] = (text ?? '').split(/\s+/)
    const range = (value = ''): PortRange | undefined => {
      const [start, end] = value.split(/[-:]/).map(Number)
      return start ? {start, end: end ?? start} : undefined
    }
    const pub = range(publicPorts)
    const priv = range(privatePorts)
    if ((protocol !== 'tcp' && protocol !== 'udp') || !publicIp || !privateIp || !pub || !priv) return undefined
    return {protocol, publicIp, publicPorts: pub, privateIp, privatePorts: priv, network: this.defaultNetwork}
  }

  putPortForward(rule: PortForward): void {
    const dir = this.dir('port-forward')
    const key = portForwardKey(rule)
    writeFileIfChanged(join(dir, key), `${rule.protocol} ${rule.publicIp} ${ports(rule.publicPorts, ':')} ${rule.privateIp} ${ports(rule.privatePorts, ':')}\n`)
    writeFileIfChanged(join(dir, `${key}.json`), `${JSON.stringify(rule)}\n`)
  }

  removePortForward(key: string): void {
    for (const suffix of ['', '.json']) rmSync(join(this.dir('port-forward'), `${key}${suffix}`), {force: true})
  }
}

/** A public VLAN this namespace has a veth on, so a VLAN whose last IP went can be detached. */
export interface AttachedVlan {
  pvlan: string
  device: string
}

export function readAttachedVlans(scopeDir: string): AttachedVlan[] {
  return readJson<AttachedVlan[]>(join(scopeDir, 'public-vlans.json')) ?? []
}

export function writeAttachedVlans(scopeDir: string, vlans: AttachedVlan[]): void {
  const unique = [...new Map(vlans.map((entry) => [entry.pvlan, entry])).values()].sort((a, b) => a.pvlan.localeCompare(b.pvlan))
  writeFileIfChanged(join(scopeDir, 'public-vlans.json'), `${JSON.stringify(unique)}\n`)
}

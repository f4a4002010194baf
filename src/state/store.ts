import {existsSync, mkdirSync, readFileSync, readdirSync, rmSync, unlinkSync} from 'node:fs'
import {join} from 'node:path'

import {writeFileAtomic, writeFileIfChanged} from './atomic.js'

/** Everything needed to rebuild a network's kernel state from scratch, beyond the reference's one-value files. */
export interface NetworkRecord {
  format: 1
  networkId: string
  vpcId?: string
  guestType: string
  vlan?: string
  gateway?: string
  cidr?: string
  extensionIp?: string
  ip6Gateway?: string
  ip6Cidr?: string
  dns6?: string[]
  guestDevice: string
  publicDevice: string
  namespace: string
  names: {vethHost: string; vethNs: string; bridge: string; vlanDevice: string}
  /** false after shutdown-network: state kept so a re-implement restarts from it, data plane down. */
  implemented: boolean
}

export const RECORD_FILE = 'csnet-network.json'

/** The reference's one-value files, written alongside so the bash wrapper and operators read the same state. */
const REFERENCE_FILES: Array<[file: string, pick: (record: NetworkRecord) => string | undefined, always: boolean]> = [
  ['vlan', (r) => r.vlan, true],
  ['gateway', (r) => r.gateway, true],
  ['cidr', (r) => r.cidr, true],
  ['extension-ip', (r) => r.extensionIp, true],
  ['ip6-gateway', (r) => r.ip6Gateway, false],
  ['ip6-cidr', (r) => r.ip6Cidr, false],
  ['dns6', (r) => r.dns6?.join(','), false],
]

/** State under STATE_DIR in the reference layout (reference-host-behaviour.md §2.8). */
export class StateStore {
  constructor(readonly stateDir: string) {}

  networkDir(networkId: string): string {
    return join(this.stateDir, `network-${networkId}`)
  }

  vpcDir(vpcId: string): string {
    return join(this.stateDir, `vpc-${vpcId}`)
  }

  /** The reference's `_vpc_state_dir`: VPC-wide files for tiers, the network dir otherwise. */
  scopeDir(scope: {networkId?: string; vpcId?: string | undefined}): string {
    if (scope.vpcId) return this.vpcDir(scope.vpcId)
    return this.networkDir(scope.networkId ?? '')
  }

  lockPath(scope: {networkId: string; vpcId?: string | undefined}): string {
    return join(this.stateDir, scope.vpcId ? `lock-vpc-${scope.vpcId}` : `lock-network-${scope.networkId}`)
  }

  hostLockPath(): string {
    return join(this.stateDir, 'lock-host')
  }

  readNetwork(networkId: string): NetworkRecord | undefined {
    const dir = this.networkDir(networkId)
    try {
      return JSON.parse(readFileSync(join(dir, RECORD_FILE), 'utf8')) as NetworkRecord
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    }
    return undefined
  }

  /** A network the bash wrapper created: only its one-value files exist. */
  readReferenceFiles(networkId: string): Record<string, string> | undefined {
    for (const dir of [this.networkDir(networkId), join(this.stateDir, networkId)]) {
      if (!existsSync(join(dir, 'vlan'))) continue
      const values: Record<string, string> = {}
      for (const [file] of REFERENCE_FILES) {
        const value = readValue(join(dir, file))
        if (value) values[file] = value
      }
      return values
    }
    return undefined
  }

  writeNetwork(record: NetworkRecord): void {
    const dir = this.networkDir(record.networkId)
    mkdirSync(dir, {recursive: true})
    for (const [file, pick, always] of REFERENCE_FILES) {
      const value = pick(record)
      if (value !== undefined || always) writeFileIfChanged(join(dir, file), `${value ?? ''}\n`)
    }
    const scopeDir = this.scopeDir(record)
    writeFileIfChanged(join(scopeDir, 'namespace'), `${record.namespace}\n`)
    if (record.vpcId) writeFileIfChanged(join(scopeDir, 'tiers', record.networkId), '')
    // The record goes last: it is what csnet trusts, so it only describes files already in place.
    writeFileIfChanged(join(dir, RECORD_FILE), `${JSON.stringify(record, null, 2)}\n`)
  }

  removeNetwork(record: NetworkRecord): void {
    rmSync(this.networkDir(record.networkId), {recursive: true, force: true})
    if (record.vpcId) {
      try {
        unlinkSync(join(this.vpcDir(record.vpcId), 'tiers', record.networkId))
      } catch {}
    }
  }

  /** Tier ids of a VPC, from the reference's `tiers/` markers. */
  vpcTiers(vpcId: string): string[] {
    try {
      return readdirSync(join(this.vpcDir(vpcId), 'tiers')).filter((name) => !name.startsWith('.'))
    } catch {
      return []
    }
  }
}

function readValue(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').split('\n')[0]?.trim() || undefined
  } catch {
    return undefined
  }
}

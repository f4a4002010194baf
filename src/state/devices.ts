import {existsSync, mkdirSync, readdirSync, rmSync, unlinkSync} from 'node:fs'
import {join} from 'node:path'

import {writeFileAtomic} from './atomic.js'

/**
 * Host devices shared between networks (bridges, VLAN sub-interfaces): which ones csnet created (and so may
 * remove) and who uses them now. One marker file per fact, so no shared file is ever rewritten.
 *   host-devices/<device>                 csnet created it
 *   host-devices/<device>.users/<user>    <user> (network-42, public-vpc-5, ...) uses it
 */
export class HostDevices {
  private readonly dir: string

  constructor(stateDir: string) {
    this.dir = join(stateDir, 'host-devices')
  }

  markCreated(device: string): void {
    writeFileAtomic(join(this.dir, device), 'created-by=csnet\n')
  }

  createdByUs(device: string): boolean {
    return existsSync(join(this.dir, device))
  }

  forgetCreated(device: string): void {
    rmSync(join(this.dir, device), {force: true})
    rmSync(join(this.dir, `${device}.users`), {recursive: true, force: true})
  }

  use(device: string, user: string): void {
    const users = join(this.dir, `${device}.users`)
    if (existsSync(join(users, user))) return
    mkdirSync(users, {recursive: true})
    writeFileAtomic(join(users, user), '')
  }

  release(device: string, user: string): void {
    try {
      unlinkSync(join(this.dir, `${device}.users`, user))
    } catch {}
  }

  users(device: string): string[] {
    try {
      return readdirSync(join(this.dir, `${device}.users`)).filter((name) => !name.startsWith('.'))
    } catch {
      return []
    }
  }
}

import {mkdirSync, openSync, readFileSync, unlinkSync, writeSync, closeSync, fsyncSync} from 'node:fs'
import {join} from 'node:path'

import {InputError} from '../core/errors.js'

/**
 * Host interface names claimed by owners (a network, a VPC, a bridge's NIC+VLAN). Claims are files created
 * with O_EXCL, so two networks racing for one name cannot both win, with no global lock.
 */
export class NameRegistry {
  private readonly dir: string

  constructor(stateDir: string) {
    this.dir = join(stateDir, 'names')
  }

  claim(name: string, owner: string): void {
    mkdirSync(this.dir, {recursive: true})
    const path = join(this.dir, name)
    try {
      const fd = openSync(path, 'wx', 0o644)
      try {
        writeSync(fd, `${owner}\n`)
        fsyncSync(fd)
      } finally {
        closeSync(fd)
      }
      return
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    const holder = this.owner(name)
    if (holder === undefined) {
      // A claim whose writer died between create and write: take it over.
      unlinkSync(path)
      this.claim(name, owner)
      return
    }
    if (holder !== owner) {
      throw new InputError(`interface name ${name} for ${owner} is already used by ${holder}; refusing to share it`)
    }
  }

  owner(name: string): string | undefined {
    try {
      const text = readFileSync(join(this.dir, name), 'utf8').trim()
      return text === '' ? undefined : text
    } catch {
      return undefined
    }
  }

  release(name: string, owner: string): void {
    if (this.owner(name) !== owner) return
    try {
      unlinkSync(join(this.dir, name))
    } catch {}
  }
}

import {spawnSync} from 'node:child_process'
import {closeSync, fstatSync, mkdirSync, openSync, statSync} from 'node:fs'
import {dirname} from 'node:path'

import {BusyError} from '../core/errors.js'

export interface HeldLock {
  path: string
  release(): void
}

/**
 * An exclusive flock(2) on `path`, compatible with the reference wrapper's `flock -w 30 200>lockfile`, so the
 * two can run side by side during a migration. Node has no flock; flock(1) locks our descriptor (passed as its
 * fd 3) and the lock stays with our open file description after it exits. The file is never unlinked. Node
 * opens files close-on-exec, so daemons we start never inherit the lock.
 *
 * The reference unlinks its lock file after unlocking: after we get the lock we check that the path still
 * names the inode we locked, and start again if not.
 */
export function acquireLock(path: string, waitSeconds: number, what: string): HeldLock {
  mkdirSync(dirname(path), {recursive: true})
  const giveUpAt = Date.now() + waitSeconds * 1000
  for (;;) {
    const remaining = Math.max(0, giveUpAt - Date.now()) / 1000
    const fd = openSync(path, 'a', 0o644)
    const result = spawnSync('flock', ['-x', '-w', remaining.toFixed(3), '3'], {stdio: ['ignore', 'ignore', 'pipe', fd]})
    if (result.error) {
      closeSync(fd)
      throw new BusyError(`cannot lock ${what}: flock(1) failed to run (${result.error.message}); install util-linux`)
    }
    if (result.status !== 0) {
      closeSync(fd)
      throw new BusyError(`${what} is busy: another command held ${path} for more than ${waitSeconds}s`)
    }
    if (sameInode(fd, path)) {
      let released = false
      return {
        path,
        release() {
          if (released) return
          released = true
          closeSync(fd)
        },
      }
    }
    closeSync(fd)
  }
}

function sameInode(fd: number, path: string): boolean {
  try {
    const held = fstatSync(fd)
    const named = statSync(path)
    return held.ino === named.ino && held.dev === named.dev
  } catch {
    return false
  }
}

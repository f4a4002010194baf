import {BusyError} from './errors.js'

/**
 * The command's time budget (the protocol's timeout argument). Closing an SSH channel does not stop a remote
 * process, so the host side bounds its own lock wait and every child process by what is left.
 */
export class Deadline {
  readonly endsAt: number

  constructor(readonly seconds: number, now = Date.now()) {
    this.endsAt = now + seconds * 1000
  }

  remainingMs(now = Date.now()): number {
    return Math.max(0, this.endsAt - now)
  }

  check(what: string): void {
    if (this.remainingMs() === 0) throw new BusyError(`deadline of ${this.seconds}s exceeded while ${what}`)
  }
}

import {appendFileSync, mkdirSync, readFileSync} from 'node:fs'
import {dirname} from 'node:path'

/** A host key as SSH sends it: type and base64 blob, plus its OpenSSH SHA256 fingerprint. */
export interface HostKey {
  type: string
  blob: string
  fingerprint: string
}

export function hostPattern(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`
}

/** Keys recorded for host:port in OpenSSH known_hosts text (plain host patterns; hashed entries are skipped). */
export function knownKeys(text: string, host: string, port: number): Array<{type: string; blob: string}> {
  const pattern = hostPattern(host, port)
  const keys: Array<{type: string; blob: string}> = []
  for (const line of text.split('\n')) {
    const trimmed = line.trim()
    if (!trimmed || trimmed.startsWith('#')) continue
    const [hosts = '', type = '', blob = ''] = trimmed.split(/\s+/)
    if (hosts.split(',').includes(pattern)) keys.push({type, blob})
  }
  return keys
}

export type Verdict = 'match' | 'unknown' | 'changed'

/**
 * Host-key policy. Strict when the physical network pins keys (a fingerprint list or known_hosts text in its
 * details); otherwise trust on first use, pinned in a known_hosts file (OpenSSH's accept-new).
 */
export class HostKeyPolicy {
  constructor(
    private readonly file: string,
    private readonly pinnedFingerprints: string[],
    private readonly pinnedKnownHosts: string,
  ) {}

  get strict(): boolean {
    return this.pinnedFingerprints.length > 0 || this.pinnedKnownHosts.trim() !== ''
  }

  verdict(host: string, port: number, key: HostKey): Verdict {
    if (this.strict) {
      if (this.pinnedFingerprints.includes(key.fingerprint)) return 'match'
      const keys = knownKeys(this.pinnedKnownHosts, host, port)
      return keys.some((known) => known.blob === key.blob) ? 'match' : 'changed'
    }
    const keys = knownKeys(this.read(), host, port)
    if (keys.length === 0) return 'unknown'
    return keys.some((known) => known.blob === key.blob) ? 'match' : 'changed'
  }

  pin(host: string, port: number, key: HostKey): void {
    mkdirSync(dirname(this.file), {recursive: true, mode: 0o700})
    appendFileSync(this.file, `${hostPattern(host, port)} ${key.type} ${key.blob}\n`, {mode: 0o600})
  }

  private read(): string {
    try {
      return readFileSync(this.file, 'utf8')
    } catch {
      return ''
    }
  }
}

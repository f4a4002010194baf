import {createHash} from 'node:crypto'
import type {Client, ConnectConfig} from 'ssh2'

import {CsnetError} from '../core/errors.js'
import {ExitCode} from '../core/exit-codes.js'
import {log} from '../core/log.js'
import type {HostKey, HostKeyPolicy} from './known-hosts.js'

export class SshError extends CsnetError {
  constructor(message: string) {
    super(message, ExitCode.ssh)
    this.name = 'SshError'
  }
}

/** A changed host key: never a reason to fail over, always an operator's decision. */
export class HostKeyChangedError extends SshError {}

export interface SshCredentials {
  username: string
  privateKey?: string
  password?: string
  agent?: string
}

export interface SshTarget {
  host: string
  port: number
}

function describeKey(blob: Buffer): HostKey {
  const typeLength = blob.readUInt32BE(0)
  return {
    type: blob.subarray(4, 4 + typeLength).toString('latin1'),
    blob: blob.toString('base64'),
    fingerprint: `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`,
  }
}

/** ssh2 is CommonJS with optional native parts: loaded only by the management role. */
async function loadSsh2(): Promise<typeof import('ssh2')> {
  const module = (await import('ssh2')) as unknown as {default?: typeof import('ssh2')}
  return module.default ?? (module as unknown as typeof import('ssh2'))
}

/**
 * Open one authenticated SSH connection: handshake, host-key check (pinned or trust-on-first-use), then
 * authentication in the reference's order (key, password, agent). Nothing runs on the host yet.
 */
export async function connect(target: SshTarget, credentials: SshCredentials, policy: HostKeyPolicy, timeoutMs: number): Promise<Client> {
  const {Client} = await loadSsh2()
  const client = new Client()
  let keyProblem: SshError | undefined
  const methods: NonNullable<ConnectConfig['authHandler']> = []
  if (credentials.privateKey) methods.push({type: 'publickey', username: credentials.username, key: credentials.privateKey} as never)
  if (credentials.password) methods.push({type: 'password', username: credentials.username, password: credentials.password} as never)
  if (credentials.agent) methods.push({type: 'agent', username: credentials.username, agent: credentials.agent} as never)
  if (methods.length === 0) throw new SshError('no SSH credentials: set sshkey or password on the physical network, or run an SSH agent (SSH_AUTH_SOCK)')
  return new Promise((resolve, reject) => {
    client.on('ready', () => resolve(client))
    client.on('error', (error: Error & {level?: string}) => {
      reject(keyProblem ?? new SshError(`SSH to ${target.host}:${target.port} failed: ${error.message}${error.level === 'client-authentication' ? ' (authentication refused)' : ''}`))
    })
    client.connect({
      host: target.host,
      port: target.port,
      username: credentials.username,
      authHandler: methods,
      readyTimeout: timeoutMs,
      keepaliveInterval: 5000,
      keepaliveCountMax: 3,
      hostVerifier: (blob: Buffer) => {
        const key = describeKey(blob)
        const verdict = policy.verdict(target.host, target.port, key)
        if (verdict === 'match') return true
        if (verdict === 'unknown') {
          policy.pin(target.host, target.port, key)
          log().info({host: target.host, port: target.port, fingerprint: key.fingerprint}, 'new host key pinned')
          return true
        }
        keyProblem = new HostKeyChangedError(
          `host key of ${target.host}:${target.port} changed (now ${key.type} ${key.fingerprint}); if the host was reinstalled, remove its line from the known_hosts file csnet uses or pin the new key in the physical network details`,
        )
        return false
      },
    } as ConnectConfig)
  })
}

export interface RemoteResult {
  code: number | null
  signal?: string
}

/** Run one command on the connection: `input` streamed to its stdin, its stdout/stderr relayed verbatim. */
export function execute(client: Client, command: string, input: Buffer, abort?: AbortSignal): Promise<RemoteResult> {
  return new Promise((resolve, reject) => {
    client.exec(command, (error, channel) => {
      if (error) {
        reject(new SshError(`could not start the remote command: ${error.message}`))
        return
      }
      // Giving up: ask sshd to signal the remote shell, which stops the executor and cleans up.
      abort?.addEventListener('abort', () => channel.signal('TERM'), {once: true})
      const result: RemoteResult = {code: null}
      channel.on('exit', (code: number | null, signal?: string) => {
        result.code = code
        if (signal) result.signal = signal
      })
      channel.on('close', () => resolve(result))
      channel.on('data', (chunk: Buffer) => process.stdout.write(chunk))
      channel.stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk))
      channel.end(input)
    })
  })
}

import {accessSync, constants, mkdirSync} from 'node:fs'
import {homedir, tmpdir} from 'node:os'
import {join} from 'node:path'

import {InputError} from '../core/errors.js'
import type {Paths} from '../core/paths.js'
import type {HostHash} from './hash.js'
import {HostKeyPolicy} from './known-hosts.js'
import type {SshCredentials} from './ssh.js'

export interface TransportSettings {
  hosts: string[]
  port: number
  credentials: SshCredentials
  hash: HostHash
  policy: HostKeyPolicy
  connectTimeoutMs: number
}

const HOST = /^[A-Za-z0-9.:_-]{1,253}$/

export function hostList(physical: Record<string, string>): string[] {
  const listed = (physical.hosts ?? '').split(',').map((host) => host.replace(/\s+/g, '')).filter(Boolean)
  const hosts = listed.length > 0 ? listed : [physical.host?.trim()].filter((host): host is string => Boolean(host))
  const bad = hosts.find((host) => !HOST.test(host))
  if (bad) throw new InputError(`physical network detail "hosts" has an invalid host ${JSON.stringify(bad)}`)
  return hosts
}

function writableDir(dir: string): boolean {
  try {
    mkdirSync(dir, {recursive: true, mode: 0o700})
    accessSync(dir, constants.W_OK)
    return true
  } catch {
    return false
  }
}

/** The pinned-keys file: in the state dir, or (CloudStack as the unprivileged `cloud` user) under $HOME. */
export function knownHostsFile(paths: Paths): string {
  const candidates = [paths.stateDir, join(homedir(), '.local', 'state', 'csnet', paths.extension), join(tmpdir(), `csnet-${process.getuid?.() ?? 'user'}`, paths.extension)]
  const dir = candidates.find((candidate) => writableDir(candidate)) ?? paths.stateDir
  return join(dir, 'known_hosts')
}

/** A PEM inside JSON: real newlines after JSON decoding, or literal "\n" from callers that double-escape. */
export function decodePem(text: string): string {
  return text.includes('\n') ? text : text.replace(/\\n/g, '\n')
}

export function transportSettings(physical: Record<string, string>, paths: Paths, env: NodeJS.ProcessEnv = process.env): TransportSettings {
  const port = Number(physical.port?.trim() || 22)
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new InputError(`physical network detail "port" must be 1-65535, got ${physical.port}`)
  const username = physical.username?.trim() || 'root'
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(username)) throw new InputError('physical network detail "username" is not a valid user name')
  const credentials: SshCredentials = {username}
  if (physical.sshkey?.trim()) credentials.privateKey = decodePem(physical.sshkey)
  if (physical.password) credentials.password = physical.password
  if (env.SSH_AUTH_SOCK) credentials.agent = env.SSH_AUTH_SOCK
  const seconds = Number(physical['ssh.connect.timeout'] ?? env.CSNET_SSH_CONNECT_TIMEOUT ?? 10)
  return {
    hosts: hostList(physical),
    port,
    credentials,
    hash: physical['host.selection.hash']?.trim().toLowerCase() === 'cksum' ? 'cksum' : 'crc32',
    policy: new HostKeyPolicy(
      knownHostsFile(paths),
      (physical['ssh.host.fingerprints'] ?? '').split(',').map((entry) => entry.trim()).filter(Boolean),
      physical['ssh.known_hosts'] ?? '',
    ),
    connectTimeoutMs: (Number.isFinite(seconds) && seconds > 0 ? seconds : 10) * 1000,
  }
}

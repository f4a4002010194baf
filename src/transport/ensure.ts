import {InputError} from '../core/errors.js'
import {ExitCode} from '../core/exit-codes.js'
import {log} from '../core/log.js'
import {CsnetError} from '../core/errors.js'
import {preferredIndex} from './hash.js'
import type {TransportSettings} from './settings.js'
import {connect, HostKeyChangedError} from './ssh.js'

export interface EnsureRequest {
  networkId?: string
  vpcId?: string
  /** The stored details (current_details, else network-extension-details). */
  currentHost?: string
}

type Probe = {ok: true} | {ok: false; error: Error}

/** A probe is handshake + host-key check + authentication; nothing runs on the host. */
async function probe(host: string, settings: TransportSettings): Promise<Probe> {
  try {
    const client = await connect({host, port: settings.port}, settings.credentials, settings.policy, settings.connectTimeoutMs)
    client.end()
    return {ok: true}
  } catch (error) {
    return {ok: false, error: error as Error}
  }
}

/**
 * ensure-network-device: keep the current host while it is configured and reachable; otherwise probe from the
 * hash-preferred host onwards (all probed at once, the first reachable in hash order wins). A changed host key
 * is an error, never a reason to fail over. Prints the reference's one-line JSON, byte for byte.
 */
export async function ensureNetworkDevice(request: EnsureRequest, settings: TransportSettings): Promise<string> {
  const key = request.vpcId ?? request.networkId
  if (!key) throw new InputError('missing network_id or vpc_id')
  if (settings.hosts.length === 0) throw new InputError('no hosts configured (physical network detail "hosts" or "host")')
  const {privateKey, password, agent} = settings.credentials
  if (!privateKey && !password && !agent) throw new InputError('no SSH credentials: set sshkey or password on the physical network, or run an SSH agent (SSH_AUTH_SOCK)')
  const namespace = request.vpcId ? `cs-vpc-${request.vpcId}` : `cs-net-${request.networkId}`
  const answer = (host: string) =>
    request.vpcId ? `{"host":"${host}","namespace":"${namespace}","vpc_id":"${request.vpcId}"}` : `{"host":"${host}","namespace":"${namespace}"}`

  let sticky: Probe | undefined
  if (request.currentHost && settings.hosts.includes(request.currentHost)) {
    sticky = await probe(request.currentHost, settings)
    if (sticky.ok) return answer(request.currentHost)
    if (sticky.error instanceof HostKeyChangedError) throw sticky.error
    log().warn({host: request.currentHost, err: sticky.error.message}, 'current host unreachable; failing over')
  }

  const start = preferredIndex(key, settings.hosts.length, settings.hash)
  const order = settings.hosts.map((_, offset) => settings.hosts[(start + offset) % settings.hosts.length]!)
  const probes = order.map((host) => (sticky && host === request.currentHost ? Promise.resolve(sticky) : probe(host, settings)))
  const failures: string[] = []
  for (const [index, host] of order.entries()) {
    const result = await probes[index]!
    if (result.ok) {
      log().info({key, host, preferred: order[0]}, 'host selected')
      return answer(host)
    }
    if (result.error instanceof HostKeyChangedError) throw result.error
    failures.push(`${host} (${result.error.message})`)
  }
  throw new CsnetError(`no reachable host found in list: ${settings.hosts.join(',')}; ${failures.join('; ')}`, ExitCode.usage)
}

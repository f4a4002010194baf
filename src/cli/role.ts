import {InputError} from '../core/errors.js'
import type {Paths} from '../core/paths.js'
import type {Invocation} from '../protocol/invocation.js'

/**
 * The management-server entry script sets CSNET_ROLE=management: every command but ensure-network-device is
 * forwarded to the network's host. A plain csnet (and the host-side executor) runs commands here, so a
 * forwarded payload that still lists hosts can never loop.
 */
export function managementRole(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.CSNET_ROLE === 'management'
}

export async function forwardToHost(invocation: Invocation, paths: Paths): Promise<number> {
  const [{transportSettings}, {DEADLINE_GRACE_SECONDS, forward}] = await Promise.all([import('../transport/settings.js'), import('../transport/forward.js')])
  const settings = transportSettings(invocation.physical, paths)
  // Give the host time to report its own deadline (it bounds its lock wait by the same timeout).
  return forward(invocation, settings, paths, (invocation.timeoutSeconds + DEADLINE_GRACE_SECONDS) * 1000)
}

/** Management and host must speak the same payload dialect; a mismatched pair says so instead of misbehaving. */
export function checkPeerVersion(env: NodeJS.ProcessEnv = process.env, ours = '0.1'): void {
  const peer = env.CSNET_PEER_VERSION
  if (peer === undefined || peer === ours) return
  throw new InputError(`the management server runs csnet protocol ${peer}, this host ${ours}; install the same csnet release on both`)
}

/** oclif's exit (thrown by this.exit) must pass through our error handling untouched. */
export function isExit(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'oclif' in error && typeof (error as {oclif?: {exit?: unknown}}).oclif?.exit === "number" && String((error as {message?: unknown}).message).startsWith("EEXIT")
}

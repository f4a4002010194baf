import type {Config} from '@oclif/core'

import {Deadline} from '../core/deadline.js'
import {InputError} from '../core/errors.js'
import {resolvePaths} from '../core/paths.js'
import {namespaceExists} from '../links/observe.js'
import {DEFAULT_TIMEOUT_SECONDS} from '../protocol/invocation.js'
import {TEARDOWN_STATES} from '../protocol/network-payload.js'
import type {NetworkRecord} from '../state/store.js'
import {hostContext, type HostContext} from './context.js'

/**
 * The network a command acts on, which must be implemented here. While CloudStack tears a network down
 * (network_state shutdown/destroy/allocated) a missing network is not an error: the command has nothing to
 * do and returns undefined, as the reference does. Otherwise a clear error.
 */
export function implementedNetwork(ctx: HostContext, payload: {network_id: string; network_state?: string | undefined}): NetworkRecord | undefined {
  const record = ctx.store.readNetwork(payload.network_id)
  if (record?.implemented && namespaceExists(record.namespace)) return record
  if (payload.network_state && TEARDOWN_STATES.has(payload.network_state)) return undefined
  throw new InputError(`network ${payload.network_id} is not implemented on this host; implement-network must run first`)
}

/** A context for plugin hooks, which run inside another command and get only oclif's config. */
export function hookContext(config: Config): HostContext {
  const paths = resolvePaths()
  return hostContext(config, paths, {command: 'hook', generation: 2, physical: {}, details: {}, payload: {}, timeoutSeconds: DEFAULT_TIMEOUT_SECONDS}, new Deadline(DEFAULT_TIMEOUT_SECONDS))
}

import {join} from 'node:path'

import {ApplyError} from '../core/errors.js'
import {namespaceExists} from '../links/observe.js'
import {applyRuleset} from '../ruleset/apply.js'
import {collectContributions} from '../ruleset/collect.js'
import type {RulesetSnapshot} from '../ruleset/types.js'
import type {NetworkRecord} from '../state/store.js'
import type {HostContext} from './context.js'

export interface Scope {
  networkId: string
  vpcId?: string | undefined
}

/** Everything that shares the namespace: the network itself, or every tier of its VPC. */
export function snapshotOf(ctx: HostContext, scope: Scope, namespace: string): RulesetSnapshot {
  const ids = scope.vpcId ? ctx.store.vpcTiers(scope.vpcId) : [scope.networkId]
  const networks: NetworkRecord[] = []
  const networkDirs: Record<string, string> = {}
  for (const id of ids.sort()) {
    const record = ctx.store.readNetwork(id)
    networkDirs[id] = ctx.store.networkDir(id)
    if (record?.implemented) networks.push(record)
  }
  return {
    namespace,
    scope: scope.vpcId ? {kind: 'vpc', id: scope.vpcId} : {kind: 'network', id: scope.networkId},
    stateDir: ctx.paths.stateDir,
    scopeDir: ctx.store.scopeDir(scope),
    networks,
    networkDirs,
  }
}

export const RULESET_MEMO = 'csnet-ruleset.json'

/** Re-render the namespace's whole ruleset from state (core + every plugin) and apply it atomically. */
export async function reconcileRuleset(ctx: HostContext, scope: Scope, namespace: string): Promise<void> {
  if (!namespaceExists(namespace)) throw new ApplyError(`namespace ${namespace} does not exist`)
  const contributions = await collectContributions(ctx.config, snapshotOf(ctx, scope, namespace))
  await applyRuleset(namespace, contributions, join(ctx.store.scopeDir(scope), RULESET_MEMO))
}

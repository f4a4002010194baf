import type {Config} from '@oclif/core'

import {ApplyError, describeError} from '../core/errors.js'
import {coreRules} from './core-rules.js'
import {HOOK_EVENTS, hookResult, type RulesetSnapshot, type SourcedContribution} from './types.js'

export const CORE_PLUGIN = 'csnet'

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const inner of Object.values(value as object)) deepFreeze(inner)
  }
  return value
}

/**
 * Ask every installed plugin for its chains. A plugin that fails or returns something malformed fails the
 * command: a firewall contributor that silently dropped out would leave the network open.
 */
export async function collectContributions(config: Config, snapshot: RulesetSnapshot): Promise<SourcedContribution[]> {
  const frozen = deepFreeze(structuredClone(snapshot))
  const contributions: SourcedContribution[] = coreRules(frozen).map((c) => ({...c, plugin: CORE_PLUGIN}))
  const result = await config.runHook(HOOK_EVENTS.ruleset, {snapshot: frozen})
  const failure = result.failures[0]
  if (failure) {
    throw new ApplyError(`plugin ${failure.plugin.name} failed to contribute rules: ${describeError(failure.error)}`)
  }
  for (const {plugin, result: returned} of result.successes) {
    const parsed = hookResult.safeParse(returned ?? [])
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      throw new ApplyError(`plugin ${plugin.name} returned a malformed contribution at ${issue?.path.join('.') || 'top level'}: ${issue?.message}`)
    }
    for (const contribution of parsed.data) contributions.push({...contribution, plugin: plugin.name})
  }
  return contributions
}

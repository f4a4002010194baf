import {ApplyError} from '../core/errors.js'
import {runInNamespace} from '../exec/run.js'
import {renderRuleset, RulesetError, type RenderedTable} from './render.js'
import {parseSave} from './save.js'
import type {SourcedContribution} from './types.js'

export async function saveRuleset(namespace: string): Promise<string> {
  return (await runInNamespace(namespace, 'iptables-save', [])).stdout
}

/**
 * Render the namespace's whole owned ruleset and apply it, one `iptables-restore --noflush` per table: each
 * table changes in one transaction (a rejected document changes nothing), so there is never a moment
 * without rules.
 */
export async function applyRuleset(namespace: string, contributions: SourcedContribution[]): Promise<RenderedTable[]> {
  let tables: RenderedTable[]
  try {
    tables = renderRuleset(contributions, parseSave(await saveRuleset(namespace)))
  } catch (error) {
    if (error instanceof RulesetError) throw new ApplyError(error.message)
    throw error
  }
  for (const table of tables) {
    await runInNamespace(namespace, 'iptables-restore', ['--noflush'], {input: table.document})
  }
  return tables
}

import {createHash} from 'node:crypto'
import {readFileSync} from 'node:fs'

import {ApplyError} from '../core/errors.js'
import {log} from '../core/log.js'
import {runInNamespace} from '../exec/run.js'
import {writeFileAtomic} from '../state/atomic.js'
import {renderRuleset, RulesetError} from './render.js'
import {normaliseSave, parseSave} from './save.js'
import type {SourcedContribution, Table} from './types.js'

export async function saveRuleset(namespace: string): Promise<string> {
  return (await runInNamespace(namespace, 'iptables-save', [])).stdout
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex')

/** Our part of one table in a save: its CS_EXTNET_* chains, their rules, and built-in jumps into them. */
function ownedFingerprint(save: string, table: Table): string {
  const section = normaliseSave(save).split(/^(?=\*)/m).find((part) => part.startsWith(`*${table}\n`)) ?? ''
  return sha(section.split('\n').filter((line) => line.includes('CS_EXTNET_')).join('\n'))
}

function desiredFingerprint(contributions: SourcedContribution[], table: Table): string {
  const mine = contributions
    .filter((c) => c.table === table)
    .sort((a, b) => a.priority - b.priority || a.plugin.localeCompare(b.plugin) || a.chain.localeCompare(b.chain))
  return sha(JSON.stringify(mine))
}

type Memo = Partial<Record<Table, {desired: string; applied: string}>>

function readMemo(path: string | undefined): Memo {
  if (!path) return {}
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Memo
  } catch {
    return {}
  }
}

/**
 * Render the namespace's whole owned ruleset and apply it, one `iptables-restore --noflush` per table: each
 * table changes in one transaction (a rejected document changes nothing), so there is never a moment
 * without rules.
 *
 * A table is left alone when its contributions are the ones last applied and the kernel still holds exactly
 * what that apply left (fingerprints kept in `memoPath`): its apply would be a no-op. Any drift (a rule
 * deleted by hand, a new contribution) fails the comparison and that table is re-applied.
 */
export async function applyRuleset(namespace: string, contributions: SourcedContribution[], memoPath?: string): Promise<Table[]> {
  const current = await saveRuleset(namespace)
  const memo = readMemo(memoPath)
  let tables
  try {
    tables = renderRuleset(contributions, parseSave(current))
  } catch (error) {
    if (error instanceof RulesetError) throw new ApplyError(error.message)
    throw error
  }
  const desired = Object.fromEntries(tables.map(({table}) => [table, desiredFingerprint(contributions, table)]))
  const changed = tables.filter(({table}) => memo[table]?.desired !== desired[table] || memo[table]?.applied !== ownedFingerprint(current, table))
  for (const table of changed) {
    await runInNamespace(namespace, 'iptables-restore', ['--noflush'], {input: table.document})
  }
  if (changed.length === 0) {
    log().debug({namespace}, 'ruleset unchanged; nothing to apply')
    return []
  }
  if (memoPath) {
    // Fingerprint what the kernel now holds, reading back only the tables that changed.
    const after = (await Promise.all(changed.map(({table}) => runInNamespace(namespace, 'iptables-save', ['-t', table])))).map((r) => r.stdout).join('')
    const next: Memo = {}
    for (const {table} of tables) {
      const applied = changed.some((c) => c.table === table) ? ownedFingerprint(after, table) : memo[table]?.applied
      if (applied) next[table] = {desired: desired[table]!, applied}
    }
    writeFileAtomic(memoPath, `${JSON.stringify(next)}\n`)
  }
  return changed.map(({table}) => table)
}

import {createHash} from 'node:crypto'
import {readFileSync} from 'node:fs'

import {ApplyError} from '../core/errors.js'
import {log} from '../core/log.js'
import {runInNamespace} from '../exec/run.js'
import {writeFileAtomic} from '../state/atomic.js'
import {renderRuleset, RulesetError} from './render.js'
import {normaliseSave, parseSave} from './save.js'
import type {SourcedContribution} from './types.js'

export async function saveRuleset(namespace: string): Promise<string> {
  return (await runInNamespace(namespace, 'iptables-save', [])).stdout
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex')

/** Our part of a save: CS_EXTNET_* chains, their rules, and built-in jumps into them. */
function ownedFingerprint(save: string): string {
  const owned = normaliseSave(save)
    .split('\n')
    .filter((line) => line.startsWith('*') || line.includes('CS_EXTNET_'))
  return sha(owned.join('\n'))
}

interface Memo {
  desired: string
  applied: string
}

function readMemo(path: string | undefined): Memo | undefined {
  if (!path) return undefined
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Memo
  } catch {
    return undefined
  }
}

/**
 * Render the namespace's whole owned ruleset and apply it, one `iptables-restore --noflush` per table: each
 * table changes in one transaction (a rejected document changes nothing), so there is never a moment
 * without rules.
 *
 * When the contributions are the ones last applied and the kernel still holds exactly what that apply left
 * (fingerprints kept in `memoPath`), nothing is sent: the apply would be a no-op, and skipping it saves two
 * restores. Any drift (a rule deleted by hand, a new contribution) fails the comparison and re-applies.
 */
export async function applyRuleset(namespace: string, contributions: SourcedContribution[], memoPath?: string): Promise<boolean> {
  const current = await saveRuleset(namespace)
  const desired = sha(
    JSON.stringify(
      [...contributions].sort((a, b) => a.priority - b.priority || a.plugin.localeCompare(b.plugin) || a.chain.localeCompare(b.chain)),
    ),
  )
  const memo = readMemo(memoPath)
  if (memo?.desired === desired && memo.applied === ownedFingerprint(current)) {
    log().debug({namespace}, 'ruleset unchanged; nothing to apply')
    return false
  }
  let tables
  try {
    tables = renderRuleset(contributions, parseSave(current))
  } catch (error) {
    if (error instanceof RulesetError) throw new ApplyError(error.message)
    throw error
  }
  for (const table of tables) {
    await runInNamespace(namespace, 'iptables-restore', ['--noflush'], {input: table.document})
  }
  if (memoPath) writeFileAtomic(memoPath, `${JSON.stringify({desired, applied: ownedFingerprint(await saveRuleset(namespace))})}\n`)
  return true
}

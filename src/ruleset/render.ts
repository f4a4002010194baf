import {CHAIN_PREFIX, MAX_CHAIN_NAME} from '../naming/names.js'
import type {SavedTable} from './save.js'
import {BUILTIN_CHAINS, TABLES, type SourcedContribution, type Table} from './types.js'

const TERMINAL_TARGETS = new Set([
  'ACCEPT', 'DROP', 'RETURN', 'REJECT', 'DNAT', 'SNAT', 'MASQUERADE', 'REDIRECT', 'NETMAP',
  'LOG', 'NFLOG', 'MARK', 'CONNMARK', 'CT', 'NOTRACK', 'TCPMSS', 'CHECKSUM',
])
const OWNED_CHAIN = /^CS_EXTNET_[A-Za-z0-9_.:-]+$/
const PLAIN_TOKEN = /^[^\s"'\\]+$/
const QUOTABLE_TOKEN = /^[^\n\r"\\]*$/

export class RulesetError extends Error {}

export interface RenderedTable {
  table: Table
  document: string
  chains: string[]
}

function dispatcherOf(table: Table, chain: string): string | undefined {
  return BUILTIN_CHAINS[table].find((builtin) => chain === `${CHAIN_PREFIX}${builtin}`)
}

function renderToken(token: string, previous: string | undefined): string {
  if (PLAIN_TOKEN.test(token)) return token
  // Only a comment may carry spaces; iptables-restore reads it quoted.
  if (previous === '--comment' && QUOTABLE_TOKEN.test(token)) return `"${token}"`
  throw new RulesetError(`unsafe token ${JSON.stringify(token)}`)
}

/**
 * Pure: turn contributions plus the namespace's current `iptables-save` into one `iptables-restore --noflush`
 * document per table. Every CS_EXTNET_* chain is ours: desired chains are declared (which flushes them) and
 * refilled, chains nobody contributes any more are emptied and deleted, built-in chains get exactly one jump
 * to each of our dispatchers and no other jump into our chains. Chains that are not ours are never named.
 */
export function renderRuleset(contributions: SourcedContribution[], current: Map<Table, SavedTable>): RenderedTable[] {
  const sorted = [...contributions].sort(
    (a, b) => a.priority - b.priority || (a.plugin < b.plugin ? -1 : a.plugin > b.plugin ? 1 : 0),
  )
  const rendered: RenderedTable[] = []
  for (const table of TABLES) {
    const mine = sorted.filter((contribution) => contribution.table === table)
    const saved = current.get(table)
    const existing = [...(saved?.chains ?? [])].filter((chain) => OWNED_CHAIN.test(chain))
    if (mine.length === 0 && existing.length === 0) continue

    const chains: string[] = []
    const rules = new Map<string, string[]>()
    for (const contribution of mine) {
      validateChainName(contribution)
      if (!rules.has(contribution.chain)) {
        chains.push(contribution.chain)
        rules.set(contribution.chain, [])
      }
    }
    for (const contribution of mine) {
      for (const rule of contribution.rules) {
        rules.get(contribution.chain)!.push(renderRule(table, contribution, rule, rules))
      }
    }

    const obsolete = existing.filter((chain) => !rules.has(chain))
    const lines = [`*${table}`]
    for (const chain of [...chains, ...obsolete]) lines.push(`:${chain} - [0:0]`)
    const wantedJumps = new Set(chains.filter((chain) => dispatcherOf(table, chain)).map((chain) => `${dispatcherOf(table, chain)} -j ${chain}`))
    const presentJumps = new Set<string>()
    for (const {chain, spec} of saved?.rules ?? []) {
      if (!BUILTIN_CHAINS[table].includes(chain) || !/(^|\s)-[jg] CS_EXTNET_/.test(spec)) continue
      const key = `${chain} ${spec}`
      if (wantedJumps.has(key) && !presentJumps.has(key)) {
        presentJumps.add(key)
        continue
      }
      lines.push(`-D ${chain} ${spec}`)
    }
    for (const chain of chains) for (const rule of rules.get(chain)!) lines.push(`-A ${chain} ${rule}`)
    for (const jump of wantedJumps) {
      if (presentJumps.has(jump)) continue
      const [builtin, ...spec] = jump.split(' ')
      lines.push(`-I ${builtin} 1 ${spec.join(' ')}`)
    }
    for (const chain of obsolete) lines.push(`-X ${chain}`)
    lines.push('COMMIT', '')
    rendered.push({table, document: lines.join('\n'), chains})
  }
  return rendered
}

function validateChainName(contribution: SourcedContribution): void {
  const {chain, plugin, table} = contribution
  if (!OWNED_CHAIN.test(chain) || chain.length > MAX_CHAIN_NAME) {
    throw new RulesetError(`plugin ${plugin} contributed chain "${chain}" in ${table}: chains must be CS_EXTNET_* and at most ${MAX_CHAIN_NAME} characters`)
  }
}

function renderRule(table: Table, contribution: SourcedContribution, rule: string[], chains: Map<string, string[]>): string {
  const jumpAt = rule.findIndex((token) => token === '-j' || token === '-g')
  if (jumpAt >= 0) {
    const target = rule[jumpAt + 1] ?? ''
    if (!TERMINAL_TARGETS.has(target) && !chains.has(target)) {
      throw new RulesetError(`plugin ${contribution.plugin} jumps to "${target}" in ${table}/${contribution.chain}, which no contribution declares`)
    }
  }
  if (rule.some((token) => token === '-A' || token === '-I' || token === '-D' || token === '-N' || token === '-X' || token === '-F')) {
    throw new RulesetError(`plugin ${contribution.plugin} rule in ${contribution.chain} carries a chain command; give match and target only`)
  }
  try {
    return rule.map((token, index) => renderToken(token, rule[index - 1])).join(' ')
  } catch (error) {
    throw new RulesetError(`plugin ${contribution.plugin} rule in ${contribution.chain}: ${(error as Error).message}`)
  }
}

import * as z from 'zod/mini'

import type {NetworkRecord} from '../state/store.js'

export const TABLES = ['raw', 'mangle', 'nat', 'filter'] as const
export type Table = (typeof TABLES)[number]

export const BUILTIN_CHAINS: Record<Table, readonly string[]> = {
  raw: ['PREROUTING', 'OUTPUT'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
}

/** What a plugin hands the core: rules for one chain, placed by priority (lower first), then plugin name. */
export const chainContribution = z.object({
  table: z.enum(TABLES),
  chain: z.string(),
  priority: z.number().check(z.int(), z.minimum(0), z.maximum(100_000)),
  rules: z.array(z.array(z.string()).check(z.minLength(1))),
})
export type ChainContribution = z.infer<typeof chainContribution>

export const hookResult = z.array(chainContribution)

export interface SourcedContribution extends ChainContribution {
  plugin: string
}

/**
 * What a ruleset hook sees: the whole network (or VPC) as state describes it, read-only. Plugins read their own
 * state files under `scopeDir`/`networkDirs`; the core holds the lock while they do.
 */
export interface RulesetSnapshot {
  namespace: string
  scope: {kind: 'network' | 'vpc'; id: string}
  stateDir: string
  scopeDir: string
  /** Implemented networks (tiers) in the namespace. */
  networks: NetworkRecord[]
  networkDirs: Record<string, string>
}

export interface RulesetHookOptions {
  snapshot: RulesetSnapshot
}

/** Hook events plugins declare in package.json `oclif.hooks`. */
export const HOOK_EVENTS = {
  ruleset: 'csnet:ruleset',
  teardown: 'csnet:teardown',
} as const

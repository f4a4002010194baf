import type {Table} from './types.js'

export interface SavedTable {
  chains: Set<string>
  rules: Array<{chain: string; spec: string}>
}

/** Parse `iptables-save` output into chains and `-A` rules per table. */
export function parseSave(text: string): Map<Table, SavedTable> {
  const tables = new Map<Table, SavedTable>()
  let current: SavedTable | undefined
  for (const line of text.split('\n')) {
    if (line.startsWith('*')) {
      current = {chains: new Set(), rules: []}
      tables.set(line.slice(1).trim() as Table, current)
    } else if (!current || line.startsWith('#') || line === 'COMMIT') {
      continue
    } else if (line.startsWith(':')) {
      current.chains.add(line.slice(1).split(' ')[0] ?? '')
    } else if (line.startsWith('-A ')) {
      const rest = line.slice(3)
      const space = rest.indexOf(' ')
      current.rules.push({chain: space < 0 ? rest : rest.slice(0, space), spec: space < 0 ? '' : rest.slice(space + 1)})
    }
  }
  return tables
}

/** Canonical text of a save for comparisons: no comments, no counters. */
export function normaliseSave(text: string): string {
  return text
    .split('\n')
    .filter((line) => !line.startsWith('#'))
    .map((line) => line.replace(/\s\[\d+:\d+\]$/, ''))
    .join('\n')
}

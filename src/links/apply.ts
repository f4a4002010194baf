import {mkdirSync, existsSync, rmSync} from 'node:fs'
import {join} from 'node:path'

import {ApplyError} from '../core/errors.js'
import {run} from '../exec/run.js'
import {writeFileAtomic} from '../state/atomic.js'
import {ipQuery, namespaceExists, toAddresses, toLinks, toRoutes} from './observe.js'
import type {HostView, IpCommand, LinkPlan, NamespaceView} from './plan.js'

export async function observeHost(): Promise<HostView> {
  const [links = [], routes = []] = await ipQuery(undefined, ['link show', 'route show'])
  return {links: toLinks(links), routes: toRoutes(routes)}
}

export async function observeNamespace(namespace: string): Promise<NamespaceView> {
  if (!namespaceExists(namespace)) return {links: new Map(), addresses: [], routes: []}
  const [links = [], addresses = [], routes = []] = await ipQuery(namespace, ['link show', 'addr show', 'route show'])
  return {links: toLinks(links), addresses: toAddresses(addresses), routes: toRoutes(routes)}
}

/** One `ip -batch` per side. Not transactional, which is why every plan is recomputed from what is observed. */
export async function applyLinkPlan(plan: LinkPlan, namespace: string): Promise<void> {
  if (plan.host.length > 0) await batch(plan.host, [])
  if (plan.namespace.length > 0) await batch(plan.namespace, ['-n', namespace])
}

async function batch(commands: IpCommand[], prefix: string[]): Promise<void> {
  for (const command of commands) {
    if (command.some((token) => token === '' || /[\s"'\\#]/.test(token))) {
      throw new ApplyError(`refusing ip command with an unsafe token: ${command.join(' ')}`)
    }
  }
  await run('ip', [...prefix, '-batch', '-'], {input: `${commands.map((command) => command.join(' ')).join('\n')}\n`})
}

const RT_TABLES = '255\tlocal\n254\tmain\n253\tdefault\n0\tunspec\n'

/** Create the namespace with its own iproute2 table file (used by policy-routing custom actions). */
export async function ensureNamespace(namespace: string, netnsConfDir: string): Promise<boolean> {
  const created = !namespaceExists(namespace)
  if (created) await run('ip', ['netns', 'add', namespace])
  const rtTables = join(netnsConfDir, namespace, 'iproute2', 'rt_tables')
  if (!existsSync(rtTables)) {
    mkdirSync(join(netnsConfDir, namespace, 'iproute2'), {recursive: true})
    writeFileAtomic(rtTables, RT_TABLES)
  }
  return created
}

export async function deleteNamespace(namespace: string, netnsConfDir: string): Promise<void> {
  if (namespaceExists(namespace)) await run('ip', ['netns', 'del', namespace])
  rmSync(join(netnsConfDir, namespace), {recursive: true, force: true})
}

/** Kernel settings inside the namespace; keys are constants or interface names csnet computed. */
export async function setSysctls(namespace: string, settings: Record<string, string>): Promise<void> {
  const assignments = Object.entries(settings).map(([key, value]) => `${key}=${value}`)
  if (assignments.length === 0) return
  await run('ip', ['netns', 'exec', namespace, 'sysctl', '-q', '-w', ...assignments])
}

import {publicVethNames} from '../../../src/naming/names.js'
import {ipQuery} from '../../../src/links/observe.js'
import type {IpCommand} from '../../../src/links/plan.js'
import type {PublicIp, StaticNat} from './state.js'
import {byVlan, defaultRouteOwner, RULE_PRIORITY, vlanMark, vlanTable} from './topology.js'

export interface ObservedRule {
  priority: number
  src?: string
  fwmark?: string
  table: string
}

export interface ObservedTableRoute {
  dst: string
  gateway?: string
  dev?: string
  table?: string | number
}

export interface RoutingView {
  rules: ObservedRule[]
  routes: ObservedTableRoute[]
}

const OUR_RULES = (priority: number) => priority >= RULE_PRIORITY.fromPublic && priority < RULE_PRIORITY.fromPublic + 1000
const OUR_TABLES = (table: number) => table >= 10_000 && table <= 14_095

function ruleKey(priority: number, selector: string, table: string | number): string {
  return `${priority} ${selector} ${table}`
}

/**
 * Pure: the namespace's routing for its public IPs. The default route belongs to one IP (see
 * defaultRouteOwner); every other public VLAN with a gateway gets its own table, reached by its IPs' source
 * address, by the connection mark of flows that came in on it, and by the private IPs statically NAT'ed to it.
 */
export function planRouting(ips: PublicIp[], staticNats: StaticNat[], chosenId: string, routesSourceNat: boolean, view: RoutingView): IpCommand[] {
  const commands: IpCommand[] = []
  const owner = defaultRouteOwner(ips, routesSourceNat)
  const current = view.routes.find((route) => route.dst === 'default' && (route.table === undefined || route.table === 'main'))
  if (owner?.gateway) {
    const dev = publicVethNames(owner.pvlan, chosenId).ns
    if (current?.gateway !== owner.gateway || current.dev !== dev) commands.push(['route', 'replace', 'default', 'via', owner.gateway, 'dev', dev])
  } else if (current?.dev?.startsWith('vp')) {
    commands.push(['route', 'del', 'default'])
  }

  const wantedRules = new Map<string, IpCommand>()
  const wantedTables = new Map<number, IpCommand>()
  for (const [pvlan, group] of byVlan(ips)) {
    const gateway = group.find((ip) => ip.gateway)?.gateway
    if (pvlan === owner?.pvlan || !gateway) continue
    const table = vlanTable(pvlan)
    const mark = `0x${vlanMark(pvlan).toString(16)}/0xffff`
    wantedTables.set(table, ['route', 'replace', 'default', 'via', gateway, 'dev', publicVethNames(pvlan, chosenId).ns, 'table', String(table)])
    wantedRules.set(ruleKey(RULE_PRIORITY.fwmark, `fwmark ${mark}`, table), ['rule', 'add', 'fwmark', mark, 'lookup', String(table), 'pref', String(RULE_PRIORITY.fwmark)])
    for (const ip of group) {
      wantedRules.set(ruleKey(RULE_PRIORITY.fromPublic, `from ${ip.ip}`, table), ['rule', 'add', 'from', ip.ip, 'lookup', String(table), 'pref', String(RULE_PRIORITY.fromPublic)])
    }
    for (const rule of staticNats.filter((r) => group.some((ip) => ip.ip === r.publicIp))) {
      wantedRules.set(ruleKey(RULE_PRIORITY.fromPrivate, `from ${rule.privateIp}`, table), ['rule', 'add', 'from', rule.privateIp, 'lookup', String(table), 'pref', String(RULE_PRIORITY.fromPrivate)])
    }
  }

  const present = new Set<string>()
  for (const rule of view.rules.filter((r) => OUR_RULES(r.priority))) {
    const selector = rule.fwmark ? `fwmark ${rule.fwmark}/0xffff` : `from ${rule.src}`
    const key = ruleKey(rule.priority, selector, rule.table)
    if (wantedRules.has(key) && !present.has(key)) present.add(key)
    else commands.push(['rule', 'del', 'pref', String(rule.priority), ...(rule.fwmark ? ['fwmark', `${rule.fwmark}/0xffff`] : ['from', rule.src ?? 'all']), 'lookup', rule.table])
  }
  for (const [key, command] of wantedRules) if (!present.has(key)) commands.push(command)

  for (const [table, command] of wantedTables) {
    const route = view.routes.find((r) => Number(r.table) === table && r.dst === 'default')
    if (route?.gateway !== command[3] || route?.dev !== command[5]) commands.push(command)
  }
  for (const route of view.routes) {
    const table = Number(route.table)
    if (OUR_TABLES(table) && !wantedTables.has(table)) commands.push(['route', 'del', route.dst, 'table', String(table)])
  }
  return commands
}

export async function observeRouting(namespace: string): Promise<RoutingView> {
  const [rules = [], routes = []] = await ipQuery(namespace, ['rule show', 'route show table all'])
  const parsedRules = (rules as Array<{priority: number; src?: string; fwmark?: string; table: string}>).map((rule) => ({
    priority: rule.priority,
    src: rule.src,
    fwmark: rule.fwmark,
    table: String(rule.table),
  }))
  const parsedRoutes = (routes as ObservedTableRoute[]).filter((route) => route.table === undefined || route.table === 'main' || OUR_TABLES(Number(route.table)))
  return {rules: parsedRules, routes: parsedRoutes}
}

import {existsSync} from 'node:fs'

import {run} from '../exec/run.js'

export interface ObservedLink {
  name: string
  kind?: string
  master?: string
  up: boolean
  mtu: number
  mac?: string
  vlanId?: number
  parent?: string
  /** veth peer sits in another namespace */
  peerElsewhere: boolean
}

export interface ObservedAddress {
  device: string
  family: 'inet' | 'inet6'
  cidr: string
}

interface IpLink {
  ifname: string
  flags?: string[]
  mtu?: number
  address?: string
  master?: string
  link?: string
  link_netnsid?: number
  linkinfo?: {info_kind?: string; info_data?: {id?: number}}
  addr_info?: Array<{family: string; local: string; prefixlen: number; scope?: string}>
}

function toLink(entry: IpLink): ObservedLink {
  return {
    name: entry.ifname,
    kind: entry.linkinfo?.info_kind,
    master: entry.master,
    up: entry.flags?.includes('UP') ?? false,
    mtu: entry.mtu ?? 1500,
    mac: entry.address,
    vlanId: entry.linkinfo?.info_data?.id,
    parent: entry.link,
    peerElsewhere: entry.link_netnsid !== undefined,
  }
}

function nsArgs(namespace: string | undefined): string[] {
  return namespace ? ['-n', namespace] : []
}

/**
 * Several `ip -json` queries in one process (`ip -batch`): each answers with one JSON array on its own line.
 * Observation is most of a converged command's kernel work, and every spawn costs milliseconds.
 */
export async function ipQuery(namespace: string | undefined, queries: string[]): Promise<unknown[][]> {
  const {stdout} = await run('ip', [...nsArgs(namespace), '-json', '-details', '-batch', '-'], {input: `${queries.join('\n')}\n`})
  const answers = stdout.split('\n').filter((line) => line.startsWith('['))
  if (answers.length !== queries.length) throw new Error(`ip -batch answered ${answers.length} of ${queries.length} queries`)
  return answers.map((line) => JSON.parse(line) as unknown[])
}

export function toLinks(entries: unknown[]): Map<string, ObservedLink> {
  const links = new Map<string, ObservedLink>()
  for (const entry of entries as IpLink[]) links.set(entry.ifname, toLink(entry))
  return links
}

export function toAddresses(entries: unknown[]): ObservedAddress[] {
  const addresses: ObservedAddress[] = []
  for (const entry of entries as IpLink[]) {
    for (const info of entry.addr_info ?? []) {
      if (info.family !== 'inet' && info.family !== 'inet6') continue
      addresses.push({device: entry.ifname, family: info.family, cidr: `${info.local}/${info.prefixlen}`})
    }
  }
  return addresses
}

export interface ObservedRoute {
  dst: string
  gateway?: string
  dev?: string
}

export function toRoutes(entries: unknown[]): ObservedRoute[] {
  return (entries as Array<{dst: string; gateway?: string; dev?: string}>).map((route) => ({
    dst: route.dst,
    gateway: route.gateway,
    dev: route.dev,
  }))
}

export function namespaceExists(namespace: string): boolean {
  return existsSync(`/run/netns/${namespace}`)
}

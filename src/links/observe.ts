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

export async function listLinks(namespace?: string): Promise<Map<string, ObservedLink>> {
  const {stdout} = await run('ip', [...nsArgs(namespace), '-json', '-details', 'link', 'show'])
  const links = new Map<string, ObservedLink>()
  for (const entry of JSON.parse(stdout || '[]') as IpLink[]) links.set(entry.ifname, toLink(entry))
  return links
}

export async function listAddresses(namespace?: string): Promise<ObservedAddress[]> {
  const {stdout} = await run('ip', [...nsArgs(namespace), '-json', 'addr', 'show'])
  const addresses: ObservedAddress[] = []
  for (const entry of JSON.parse(stdout || '[]') as IpLink[]) {
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

export async function listRoutes(namespace: string | undefined, family: '-4' | '-6' = '-4'): Promise<ObservedRoute[]> {
  const {stdout} = await run('ip', [...nsArgs(namespace), family, '-json', 'route', 'show'])
  return (JSON.parse(stdout || '[]') as Array<{dst: string; gateway?: string; dev?: string}>).map((route) => ({
    dst: route.dst,
    gateway: route.gateway,
    dev: route.dev,
  }))
}

export function namespaceExists(namespace: string): boolean {
  return existsSync(`/run/netns/${namespace}`)
}

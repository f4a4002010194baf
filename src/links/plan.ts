import type {ObservedAddress, ObservedLink, ObservedRoute} from './observe.js'

/** Where a network's guest side plugs in: host VLAN device → bridge → veth pair → namespace. */
export interface GuestAttachment {
  namespace: string
  parentDevice: string
  vlanId?: number
  vlanDevice: string
  bridge: string
  vethHost: string
  vethNs: string
  /** Stable MAC of the namespace end: a rebuilt veth keeps it, so guests' ARP caches stay valid. */
  mac: string
  /** Addresses (CIDR form) the namespace end carries. */
  addresses: string[]
  defaultRoute?: string
}

export interface HostView {
  links: Map<string, ObservedLink>
}

export interface NamespaceView {
  links: Map<string, ObservedLink>
  addresses: ObservedAddress[]
  routes: ObservedRoute[]
}

/** One `ip -batch` line, as tokens. */
export type IpCommand = string[]

export interface LinkPlan {
  host: IpCommand[]
  namespace: IpCommand[]
  /** Host devices this plan creates: recorded as csnet's own so teardown may remove them. */
  creates: string[]
}

export class PlanError extends Error {}

export function isEmptyPlan(plan: LinkPlan): boolean {
  return plan.host.length === 0 && plan.namespace.length === 0
}

/** Pure: what to run so the host and namespace match `want`. Empty when they already do. */
export function planGuestAttachment(want: GuestAttachment, host: HostView, ns: NamespaceView): LinkPlan {
  const plan: LinkPlan = {host: [], namespace: [], creates: []}
  const vlanDevice = host.links.get(want.vlanDevice)
  const parent = host.links.get(want.parentDevice)
  if (!vlanDevice) {
    if (!parent) throw new PlanError(`host device ${want.parentDevice} does not exist (guest.network.device)`)
    if (want.vlanId === undefined) throw new PlanError(`host device ${want.vlanDevice} does not exist`)
    plan.host.push(['link', 'add', 'link', want.parentDevice, 'name', want.vlanDevice, 'type', 'vlan', 'id', String(want.vlanId)])
    plan.creates.push(want.vlanDevice)
  }
  if (!vlanDevice?.up) plan.host.push(['link', 'set', want.vlanDevice, 'up'])
  // The veth takes the MTU of the device it is bridged to, so the guest network never fragments on the host.
  const mtu = vlanDevice?.mtu ?? parent?.mtu ?? 1500

  const bridge = host.links.get(want.bridge)
  if (bridge && bridge.kind !== 'bridge') throw new PlanError(`host device ${want.bridge} exists and is not a bridge`)
  if (!bridge) {
    plan.host.push(['link', 'add', 'name', want.bridge, 'mtu', String(mtu), 'type', 'bridge'])
    plan.creates.push(want.bridge)
  }
  if (!bridge?.up) plan.host.push(['link', 'set', want.bridge, 'up'])
  if (vlanDevice?.master !== want.bridge) plan.host.push(['link', 'set', want.vlanDevice, 'master', want.bridge])

  planVeth(plan, want, mtu, host, ns)
  planNamespaceSide(plan, want, ns)
  return plan
}

function planVeth(plan: LinkPlan, want: GuestAttachment, mtu: number, host: HostView, ns: NamespaceView): void {
  const hostEnd = host.links.get(want.vethHost)
  const nsEnd = ns.links.get(want.vethNs)
  const strayPeer = host.links.get(want.vethNs)
  const healthy = hostEnd?.kind === 'veth' && hostEnd.peerElsewhere && nsEnd?.kind === 'veth'
  const halfMade = !healthy && hostEnd?.kind === 'veth' && strayPeer?.kind === 'veth' && !nsEnd
  if (halfMade) {
    // Crash between create and move: finish the move rather than start over.
    plan.host.push(['link', 'set', want.vethNs, 'netns', want.namespace])
  } else if (!healthy) {
    if (hostEnd) plan.host.push(['link', 'del', want.vethHost])
    if (strayPeer && strayPeer !== hostEnd) plan.host.push(['link', 'del', want.vethNs])
    if (nsEnd) plan.namespace.push(['link', 'del', want.vethNs])
    plan.host.push([
      'link', 'add', want.vethHost, 'mtu', String(mtu), 'type', 'veth',
      'peer', 'name', want.vethNs, 'address', want.mac, 'mtu', String(mtu), 'netns', want.namespace,
    ])
  }
  const fresh = !healthy && !halfMade
  if (fresh || hostEnd?.master !== want.bridge) plan.host.push(['link', 'set', want.vethHost, 'master', want.bridge])
  if (!fresh && hostEnd?.mtu !== mtu) plan.host.push(['link', 'set', want.vethHost, 'mtu', String(mtu)])
  if (fresh || !hostEnd?.up) plan.host.push(['link', 'set', want.vethHost, 'up'])
  if (!fresh && nsEnd?.mtu !== mtu) plan.namespace.push(['link', 'set', want.vethNs, 'mtu', String(mtu)])
  if (halfMade || (!fresh && nsEnd?.mac !== want.mac)) plan.namespace.push(['link', 'set', want.vethNs, 'address', want.mac])
}

function planNamespaceSide(plan: LinkPlan, want: GuestAttachment, ns: NamespaceView): void {
  const deleting = plan.namespace.some((command) => command[1] === 'del')
  const nsEnd = deleting ? undefined : ns.links.get(want.vethNs)
  if (!ns.links.get('lo')?.up) plan.namespace.push(['link', 'set', 'lo', 'up'])
  if (!nsEnd?.up) plan.namespace.push(['link', 'set', want.vethNs, 'up'])
  const present = new Set(nsEnd ? ns.addresses.filter((a) => a.device === want.vethNs).map((a) => a.cidr) : [])
  for (const cidr of want.addresses) {
    if (present.has(cidr)) continue
    plan.namespace.push(cidr.includes(':') ? ['addr', 'add', cidr, 'dev', want.vethNs, 'nodad'] : ['addr', 'add', cidr, 'dev', want.vethNs])
  }
  for (const cidr of present) {
    if (want.addresses.includes(cidr) || cidr.startsWith('fe80:')) continue
    plan.namespace.push(['addr', 'del', cidr, 'dev', want.vethNs])
  }
  if (want.defaultRoute) {
    const current = nsEnd ? ns.routes.find((route) => route.dst === 'default') : undefined
    if (current?.gateway !== want.defaultRoute || current.dev !== want.vethNs) {
      plan.namespace.push(['route', 'replace', 'default', 'via', want.defaultRoute, 'dev', want.vethNs])
    }
  }
}

/**
 * Pure: what to delete when a network's guest side goes. Shared devices stay while another network uses them,
 * and devices csnet did not create (the operator's eth1.100, a CI stand-in) are never removed.
 */
export function planGuestDetach(
  want: GuestAttachment,
  host: HostView,
  options: {inUseElsewhere: (device: string) => boolean; createdByUs: (device: string) => boolean},
): LinkPlan {
  const plan: LinkPlan = {host: [], namespace: [], creates: []}
  if (host.links.has(want.vethHost)) plan.host.push(['link', 'del', want.vethHost])
  for (const device of [want.bridge, want.vlanDevice]) {
    if (device === want.parentDevice) continue
    if (host.links.has(device) && options.createdByUs(device) && !options.inUseElsewhere(device)) {
      plan.host.push(['link', 'del', device])
    }
  }
  return plan
}

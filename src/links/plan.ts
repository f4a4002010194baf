import type {ObservedAddress, ObservedLink, ObservedRoute} from './observe.js'

/**
 * How a namespace plugs into a host network: host VLAN device → bridge → veth pair → namespace. The guest
 * side of every network is one; so is each public VLAN of a namespace (nat plugin).
 */
export interface Attachment {
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
  /** Host-side routes (`<ip>/32`) through the host end, so the host itself reaches these addresses. */
  hostRoutes?: string[]
}

export interface HostView {
  links: Map<string, ObservedLink>
  routes: ObservedRoute[]
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
export function planAttachment(want: Attachment, host: HostView, ns: NamespaceView): LinkPlan {
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
  planHostRoutes(plan, want, host)
  return plan
}

/** `ip -json route` prints host routes without their /32. */
function routeKey(dst: string): string {
  return dst.endsWith('/32') ? dst.slice(0, -3) : dst
}

function planHostRoutes(plan: LinkPlan, want: Attachment, host: HostView): void {
  const wanted = new Set((want.hostRoutes ?? []).map(routeKey))
  const present = new Set(host.routes.filter((route) => route.dev === want.vethHost).map((route) => routeKey(route.dst)))
  for (const dst of wanted) if (!present.has(dst)) plan.host.push(['route', 'replace', `${dst}/32`, 'dev', want.vethHost])
  for (const dst of present) if (!wanted.has(dst)) plan.host.push(['route', 'del', `${dst}/32`, 'dev', want.vethHost])
}

function planVeth(plan: LinkPlan, want: Attachment, mtu: number, host: HostView, ns: NamespaceView): void {
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
  // A healthy veth keeps its MAC (adopting the bash wrapper's must not invalidate guests' ARP caches); csnet's
  // stable MAC goes on the ones it creates or finishes.
  if (halfMade) plan.namespace.push(['link', 'set', want.vethNs, 'address', want.mac])
}

function planNamespaceSide(plan: LinkPlan, want: Attachment, ns: NamespaceView): void {
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

/** Pure: remove an attachment's veth (its namespace end and host routes go with it). Shared devices are released separately. */
export function planDetach(want: Attachment, host: HostView): LinkPlan {
  const plan: LinkPlan = {host: [], namespace: [], creates: []}
  if (host.links.has(want.vethHost)) plan.host.push(['link', 'del', want.vethHost])
  return plan
}

/** Pure: delete shared host devices nobody uses any more, bridge before its VLAN port. */
export function planSharedDeviceRemoval(devices: string[], host: HostView): LinkPlan {
  return {host: devices.filter((device) => host.links.has(device)).map((device) => ['link', 'del', device]), namespace: [], creates: []}
}

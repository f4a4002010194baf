import {InputError} from '../../../src/core/errors.js'
import {log} from '../../../src/core/log.js'
import {applyLinkPlan, observeHost, observeNamespace, setSysctls} from '../../../src/links/apply.js'
import {namespaceExists} from '../../../src/links/observe.js'
import {isEmptyPlan, planDetach} from '../../../src/links/plan.js'
import {chosenId, publicVethNames} from '../../../src/naming/names.js'
import type {HostContext} from '../../../src/network/context.js'
import {planOrRefuse, verifyConverged} from '../../../src/network/implement.js'
import {hostDevice} from '../../../src/network/record.js'
import {implementedNetwork} from '../../../src/network/require.js'
import {reconcileRuleset} from '../../../src/network/scope.js'
import {releaseSharedDevices, sharedDevicesFor, useSharedDevices, withHostLock} from '../../../src/network/shared-devices.js'
import {prefixLength, type PortRange} from '../../../src/protocol/fields.js'
import type {NetworkRecord} from '../../../src/state/store.js'
import {announce} from './arp.js'
import {dropForwardFlows, dropPublicIpFlows} from './conntrack.js'
import type {PortForwardPayload, PublicIpPayload, StaticNatPayload} from './payload.js'
import {observeRouting, planRouting} from './routing.js'
import {NatState, portForwardKey, readAttachedVlans, writeAttachedVlans, type AttachedVlan, type PublicIp} from './state.js'
import {byVlan, publicAttachment} from './topology.js'

export function natStateOf(ctx: HostContext, network: NetworkRecord): NatState {
  return new NatState(ctx.store.scopeDir(network), network.networkId)
}

/** Registry user of a namespace's public bridges and VLAN devices. */
function publicUser(network: NetworkRecord): string {
  return network.vpcId ? `public-vpc-${network.vpcId}` : `public-network-${network.networkId}`
}

/**
 * Make the namespace's public side match NAT state: one veth per public VLAN carrying exactly its IPs (and
 * host routes), VLANs without IPs detached and their shared devices released, then the default route and
 * per-VLAN policy routing.
 */
export async function convergePublicSide(ctx: HostContext, network: NetworkRecord): Promise<void> {
  const state = natStateOf(ctx, network)
  const scopeDir = ctx.store.scopeDir(network)
  const ips = state.ips()
  const chosen = chosenId(network)
  const attached = [...byVlan(ips)].map(([pvlan, group]) => ({pvlan, device: group[0]!.device, attachment: publicAttachment(network.namespace, chosen, pvlan, group)}))
  const gone = readAttachedVlans(scopeDir).filter((entry) => !attached.some((a) => a.pvlan === entry.pvlan))
  let changed = false
  await withHostLock(ctx, async () => {
    // Record intent first: a crash after creating a veth still leaves it known, so it can be detached later.
    writeAttachedVlans(scopeDir, [...attached, ...gone])
    for (const {pvlan, device, attachment} of attached) {
      const [host, ns] = await Promise.all([observeHost(), observeNamespace(network.namespace)])
      const plan = planOrRefuse(attachment, host, ns)
      useSharedDevices(ctx, sharedDevicesFor(device, pvlan), publicUser(network))
      for (const created of plan.creates) ctx.devices.markCreated(created)
      await applyLinkPlan(plan, network.namespace)
      changed ||= !isEmptyPlan(plan)
    }
  })
  await detachVlans(ctx, network, gone)
  writeAttachedVlans(scopeDir, attached)
  // Loose reverse-path filtering on public veths: a flow may arrive on one public VLAN while the default
  // route leaves through another.
  const loose = Object.fromEntries(attached.map(({attachment}) => [`net.ipv4.conf.${attachment.vethNs}.rp_filter`, '2']))
  await setSysctls(network.namespace, loose)
  await convergeRouting(ctx, network)
  if (changed) for (const {attachment} of attached) await verifyConverged(attachment, `public VLAN of ${network.namespace}`)
}

/** Default route and per-VLAN policy routing, from NAT state. */
async function convergeRouting(ctx: HostContext, network: NetworkRecord): Promise<void> {
  const state = natStateOf(ctx, network)
  const routing = planRouting(state.ips(), state.staticNats(), chosenId(network), !network.vpcId, await observeRouting(network.namespace))
  if (routing.length > 0) await applyLinkPlan({host: [], namespace: routing, creates: []}, network.namespace)
}

/** Remove a namespace's veths on these public VLANs and release the VLANs' shared devices. */
async function detachVlans(ctx: HostContext, network: NetworkRecord, vlans: AttachedVlan[]): Promise<void> {
  if (vlans.length === 0) return
  const host = await observeHost()
  for (const {pvlan, device} of vlans) {
    const detach = planDetach(publicAttachment(network.namespace, chosenId(network), pvlan, []), host)
    await applyLinkPlan(detach, network.namespace)
    await releaseSharedDevices(ctx, sharedDevicesFor(device, pvlan), publicUser(network))
  }
}

/**
 * Everything after a NAT state change, then the whole ruleset of the namespace. A change of public IPs
 * reconverges links and routes; a static NAT only the routes (policy rules name its private IP); a port
 * forward only the ruleset.
 */
async function apply(ctx: HostContext, network: NetworkRecord, scope: 'links' | 'routes' | 'rules'): Promise<void> {
  if (scope === 'links') await convergePublicSide(ctx, network)
  else if (scope === 'routes') await convergeRouting(ctx, network)
  await reconcileRuleset(ctx, network, network.namespace)
}

export async function assignIp(ctx: HostContext, payload: PublicIpPayload): Promise<void> {
  const network = implementedNetwork(ctx, payload)
  if (!network) return
  const state = natStateOf(ctx, network)
  const previous = state.ip(payload.public_ip)
  const pvlan = payload.public_vlan ?? previous?.pvlan
  if (!pvlan) throw new InputError('field "public_vlan" is required')
  const record: PublicIp = {
    ip: payload.public_ip,
    prefix: payload.public_cidr ? prefixLength(payload.public_cidr) : (previous?.prefix ?? 32),
    pvlan,
    device: hostDevice(ctx.invocation.physical, 'public.network.device'),
    network: previous?.network ?? network.networkId,
    sourceNat: payload.source_nat ?? previous?.sourceNat ?? false,
    since: previous?.since ?? Date.now(),
  }
  const gateway = payload.public_gateway ?? previous?.gateway
  if (gateway) record.gateway = gateway
  if (previous && previous.network !== network.networkId) {
    throw new InputError(`public IP ${record.ip} already belongs to network ${previous.network} in ${network.namespace}`)
  }
  state.putIp(record)
  await apply(ctx, network, 'links')
  await announce(network.namespace, publicVethNames(pvlan, chosenId(network)).ns, record.ip)
  log().info({network: network.networkId, ip: record.ip, pvlan, sourceNat: record.sourceNat}, 'public IP assigned')
}

/** release-ip: only this IP goes, with the static NAT and forwards on it and its flows. Releasing twice succeeds. */
export async function releaseIp(ctx: HostContext, payload: PublicIpPayload): Promise<void> {
  const network = ctx.store.readNetwork(payload.network_id)
  if (!network) return
  const state = natStateOf(ctx, network)
  const record = state.ip(payload.public_ip)
  if (record && record.network !== network.networkId) {
    throw new InputError(`public IP ${payload.public_ip} belongs to network ${record.network}, not ${network.networkId}`)
  }
  state.removeStaticNat(payload.public_ip)
  for (const rule of state.portForwards().filter((r) => r.publicIp === payload.public_ip)) state.removePortForward(portForwardKey(rule))
  state.removeIp(payload.public_ip)
  if (!network.implemented) return
  await apply(ctx, network, 'links')
  await dropPublicIpFlows(network.namespace, payload.public_ip)
  log().info({network: network.networkId, ip: payload.public_ip}, 'public IP released')
}

/** A NAT rule needs its public IP on the namespace; one not yet assigned is assigned now when its VLAN is known. */
function ensureAssigned(ctx: HostContext, network: NetworkRecord, payload: PublicIpPayload): boolean {
  const state = natStateOf(ctx, network)
  if (state.ip(payload.public_ip)) return false
  if (!payload.public_vlan) throw new InputError(`public IP ${payload.public_ip} is not assigned to network ${network.networkId} and the payload has no public_vlan`)
  state.putIp({
    ip: payload.public_ip,
    prefix: payload.public_cidr ? prefixLength(payload.public_cidr) : 32,
    pvlan: payload.public_vlan,
    device: hostDevice(ctx.invocation.physical, 'public.network.device'),
    network: network.networkId,
    sourceNat: false,
    since: Date.now(),
    ...(payload.public_gateway ? {gateway: payload.public_gateway} : {}),
  })
  return true
}

export async function addStaticNat(ctx: HostContext, payload: StaticNatPayload): Promise<void> {
  const network = implementedNetwork(ctx, payload)
  if (!network) return
  const assigned = ensureAssigned(ctx, network, payload)
  const state = natStateOf(ctx, network)
  const existing = state.staticNats().find((rule) => rule.publicIp === payload.public_ip)
  state.putStaticNat({publicIp: payload.public_ip, privateIp: payload.private_ip, network: network.networkId})
  await apply(ctx, network, assigned ? 'links' : 'routes')
  if (existing && existing.privateIp !== payload.private_ip) await dropPublicIpFlows(network.namespace, payload.public_ip)
  log().info({network: network.networkId, publicIp: payload.public_ip, privateIp: payload.private_ip}, 'static NAT added')
}

export async function deleteStaticNat(ctx: HostContext, payload: StaticNatPayload | PublicIpPayload): Promise<void> {
  const network = ctx.store.readNetwork(payload.network_id)
  if (!network) return
  natStateOf(ctx, network).removeStaticNat(payload.public_ip)
  if (!network.implemented) return
  await apply(ctx, network, 'routes')
  await dropPublicIpFlows(network.namespace, payload.public_ip)
  log().info({network: network.networkId, publicIp: payload.public_ip}, 'static NAT deleted')
}

function sameSize(a: PortRange, b: PortRange): boolean {
  return a.end - a.start === b.end - b.start
}

export async function addPortForward(ctx: HostContext, payload: PortForwardPayload): Promise<void> {
  const protocol = payload.protocol ?? 'tcp'
  if (protocol !== 'tcp' && protocol !== 'udp') throw new InputError(`field "protocol" must be tcp or udp for a port forward, got ${protocol}`)
  if (!sameSize(payload.public_port, payload.private_port)) {
    throw new InputError('fields "public_port" and "private_port" must be ranges of the same size')
  }
  const network = implementedNetwork(ctx, payload)
  if (!network) return
  const assigned = ensureAssigned(ctx, network, payload)
  natStateOf(ctx, network).putPortForward({
    protocol,
    publicIp: payload.public_ip,
    publicPorts: payload.public_port,
    privateIp: payload.private_ip,
    privatePorts: payload.private_port,
    network: network.networkId,
  })
  await apply(ctx, network, assigned ? 'links' : 'rules')
  log().info({network: network.networkId, publicIp: payload.public_ip, ports: payload.public_port, protocol}, 'port forward added')
}

export async function deletePortForward(ctx: HostContext, payload: PortForwardPayload): Promise<void> {
  const protocol = payload.protocol ?? 'tcp'
  if (protocol !== 'tcp' && protocol !== 'udp') throw new InputError(`field "protocol" must be tcp or udp for a port forward, got ${protocol}`)
  const network = ctx.store.readNetwork(payload.network_id)
  if (!network) return
  natStateOf(ctx, network).removePortForward(portForwardKey({protocol, publicIp: payload.public_ip, publicPorts: payload.public_port}))
  if (!network.implemented) return
  await apply(ctx, network, 'rules')
  await dropForwardFlows(network.namespace, protocol, payload.public_ip, payload.public_port)
  log().info({network: network.networkId, publicIp: payload.public_ip, ports: payload.public_port, protocol}, 'port forward deleted')
}

/**
 * A network going away takes its NAT with it (the reference drops NAT state on shutdown of an isolated
 * network; CloudStack re-sends IPs and rules after a restart). A VPC tier removes only its own entries, and
 * its public veths only when no other tier uses that VLAN.
 */
export async function dropNetworkNat(ctx: HostContext, network: NetworkRecord): Promise<void> {
  const state = natStateOf(ctx, network)
  const mine = (owner: string) => owner === network.networkId
  for (const rule of state.staticNats().filter((r) => mine(r.network))) state.removeStaticNat(rule.publicIp)
  for (const rule of state.portForwards().filter((r) => mine(r.network))) state.removePortForward(portForwardKey(rule))
  for (const ip of state.ips().filter((r) => mine(r.network))) state.removeIp(ip.ip)
  if (network.vpcId) {
    if (namespaceExists(network.namespace)) await convergePublicSide(ctx, network)
    return
  }
  const scopeDir = ctx.store.scopeDir(network)
  await detachVlans(ctx, network, readAttachedVlans(scopeDir))
  writeAttachedVlans(scopeDir, [])
}

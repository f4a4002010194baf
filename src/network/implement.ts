import {ApplyError, InputError} from '../core/errors.js'
import {log} from '../core/log.js'
import {applyLinkPlan, ensureNamespace, observeHost, observeNamespace, setSysctls} from '../links/apply.js'
import {isEmptyPlan, planGuestAttachment, PlanError} from '../links/plan.js'
import type {NetworkPayload} from '../protocol/network-payload.js'
import {acquireLock} from '../state/lock.js'
import type {NetworkRecord} from '../state/store.js'
import type {HostContext} from './context.js'
import {guestAttachmentOf, namespaceSysctls, networkRecordFrom} from './record.js'
import {reconcileRuleset, snapshotOf} from './scope.js'

const HOST_LOCK_WAIT_SECONDS = 30

/**
 * implement-network: namespace, guest bridge and veth, addresses, forwarding and chains, converged from state.
 * Every step plans from what it observes, so a re-run after any failure repairs instead of tripping over
 * leftovers, and a second run on a healthy network changes nothing.
 */
export async function implementNetwork(ctx: HostContext, payload: NetworkPayload): Promise<NetworkRecord> {
  const previous = ctx.store.readNetwork(payload.network_id)
  const record = networkRecordFrom(payload, previous, ctx.invocation.physical)
  const attachment = guestAttachmentOf(record)

  const hostLock = acquireLock(ctx.store.hostLockPath(), Math.min(HOST_LOCK_WAIT_SECONDS, ctx.deadline.remainingMs() / 1000), 'host devices')
  let changed: boolean
  try {
    const [host, ns] = await Promise.all([observeHost(), observeNamespace(record.namespace)])
    if (!host.links.has(attachment.vlanDevice) && !host.links.has(attachment.parentDevice)) {
      throw new InputError(`host device ${attachment.parentDevice} does not exist; set guest.network.device on the physical network`)
    }
    const plan = planLinks(attachment, host, ns)
    claimNames(ctx, record)
    ctx.store.writeNetwork(record)
    await ensureNamespace(record.namespace, ctx.paths.netnsConfDir)
    // Bridges and VLAN devices are shared between networks: they are created under the host lock.
    for (const device of plan.creates) ctx.store.markCreated(device)
    await applyLinkPlan(plan, record.namespace)
    changed = !isEmptyPlan(plan)
  } finally {
    hostLock.release()
  }
  const tiers = snapshotOf(ctx, record, record.namespace).networks
  await Promise.all([setSysctls(record.namespace, namespaceSysctls(tiers)), reconcileRuleset(ctx, record, record.namespace)])
  if (changed) await verifyLinks(record)
  log().info({network: record.networkId, namespace: record.namespace, vlan: record.vlan}, 'network implemented')
  return record
}

function claimNames(ctx: HostContext, record: NetworkRecord): void {
  const claimed: Array<[string, string]> = []
  const claims: Array<[string, string]> = [
    [record.names.vethHost, record.vpcId ? `vpc-${record.vpcId}` : `network-${record.networkId}`],
    [record.names.bridge, `bridge:${record.guestDevice}.${record.vlan}`],
  ]
  if (record.names.vlanDevice !== record.guestDevice) claims.push([record.names.vlanDevice, `vlan:${record.guestDevice}.${record.vlan}`])
  try {
    for (const [name, owner] of claims) {
      const fresh = ctx.names.owner(name) === undefined
      ctx.names.claim(name, owner)
      if (fresh) claimed.push([name, owner])
    }
  } catch (error) {
    for (const [name, owner] of claimed) ctx.names.release(name, owner)
    throw error
  }
}

function planLinks(...args: Parameters<typeof planGuestAttachment>) {
  try {
    return planGuestAttachment(...args)
  } catch (error) {
    if (error instanceof PlanError) throw new InputError(error.message)
    throw error
  }
}

async function verifyLinks(record: NetworkRecord): Promise<void> {
  const [host, ns] = await Promise.all([observeHost(), observeNamespace(record.namespace)])
  const again = planGuestAttachment(guestAttachmentOf(record), host, ns)
  if (!isEmptyPlan(again)) {
    throw new ApplyError(`links of network ${record.networkId} did not converge; still pending: ${[...again.host, ...again.namespace].map((c) => c.join(' ')).join('; ')}`)
  }
}

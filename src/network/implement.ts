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

  const host = await observeHost()
  if (!host.links.has(attachment.vlanDevice) && !host.links.has(attachment.parentDevice)) {
    throw new InputError(`host device ${attachment.parentDevice} does not exist; set guest.network.device on the physical network`)
  }
  claimNames(ctx, record)

  ctx.store.writeNetwork(record)
  await ensureNamespace(record.namespace, ctx.paths.netnsConfDir)
  await convergeLinks(ctx, record)
  const tiers = snapshotOf(ctx, record, record.namespace).networks
  await setSysctls(record.namespace, namespaceSysctls(tiers))
  await reconcileRuleset(ctx, record, record.namespace)
  await verifyLinks(record)
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

async function convergeLinks(ctx: HostContext, record: NetworkRecord): Promise<void> {
  const attachment = guestAttachmentOf(record)
  // Bridges and VLAN devices are shared between networks: create or delete them under the host lock.
  const hostLock = acquireLock(ctx.store.hostLockPath(), Math.min(HOST_LOCK_WAIT_SECONDS, ctx.deadline.remainingMs() / 1000), 'host devices')
  try {
    let plan
    try {
      plan = planGuestAttachment(attachment, await observeHost(), await observeNamespace(record.namespace))
    } catch (error) {
      if (error instanceof PlanError) throw new InputError(error.message)
      throw error
    }
    for (const device of plan.creates) ctx.store.markCreated(device)
    await applyLinkPlan(plan, record.namespace)
  } finally {
    hostLock.release()
  }
}

async function verifyLinks(record: NetworkRecord): Promise<void> {
  const again = planGuestAttachment(guestAttachmentOf(record), await observeHost(), await observeNamespace(record.namespace))
  if (!isEmptyPlan(again)) {
    throw new ApplyError(`links of network ${record.networkId} did not converge; still pending: ${[...again.host, ...again.namespace].map((c) => c.join(' ')).join('; ')}`)
  }
}

import {ApplyError, InputError} from '../core/errors.js'
import {log} from '../core/log.js'
import {applyLinkPlan, ensureNamespace, observeHost, observeNamespace, setSysctls} from '../links/apply.js'
import {isEmptyPlan, planAttachment, PlanError, type Attachment, type HostView, type NamespaceView} from '../links/plan.js'
import type {NetworkPayload} from '../protocol/network-payload.js'
import type {NetworkRecord} from '../state/store.js'
import type {HostContext} from './context.js'
import {guestAttachmentOf, namespaceSysctls, networkRecordFrom, networkUser, vethOwner} from './record.js'
import {reconcileRuleset, snapshotOf} from './scope.js'
import {sharedDevicesFor, useSharedDevices, withHostLock} from './shared-devices.js'

/**
 * implement-network: namespace, guest bridge and veth, addresses, forwarding and chains, converged from state.
 * Every step plans from what it observes, so a re-run after any failure repairs instead of tripping over
 * leftovers, and a second run on a healthy network changes nothing.
 */
export async function implementNetwork(ctx: HostContext, payload: NetworkPayload): Promise<NetworkRecord> {
  const previous = ctx.store.readNetwork(payload.network_id)
  const record = networkRecordFrom(payload, previous, ctx.invocation.physical)
  const attachment = guestAttachmentOf(record)
  const shared = sharedDevicesFor(record.guestDevice, record.vlan ?? '')

  const changed = await withHostLock(ctx, async () => {
    const [host, ns] = await Promise.all([observeHost(), observeNamespace(record.namespace)])
    const plan = planOrRefuse(attachment, host, ns)
    claimVeth(ctx, record)
    useSharedDevices(ctx, shared, networkUser(record))
    ctx.store.writeNetwork(record)
    await ensureNamespace(record.namespace, ctx.paths.netnsConfDir)
    for (const device of plan.creates) ctx.devices.markCreated(device)
    await applyLinkPlan(plan, record.namespace)
    return !isEmptyPlan(plan)
  })
  const tiers = snapshotOf(ctx, record, record.namespace).networks
  await Promise.all([setSysctls(record.namespace, namespaceSysctls(tiers)), reconcileRuleset(ctx, record, record.namespace)])
  if (changed) await verifyConverged(attachment, `network ${record.networkId}`)
  log().info({network: record.networkId, namespace: record.namespace, vlan: record.vlan}, 'network implemented')
  return record
}

/** Plan an attachment; a host that cannot carry it (missing NIC, name taken) is bad input, not a crash. */
export function planOrRefuse(attachment: Attachment, host: HostView, ns: NamespaceView) {
  if (!host.links.has(attachment.vlanDevice) && !host.links.has(attachment.parentDevice)) {
    throw new InputError(`host device ${attachment.parentDevice} does not exist; set the physical network's device detail`)
  }
  try {
    return planAttachment(attachment, host, ns)
  } catch (error) {
    if (error instanceof PlanError) throw new InputError(error.message)
    throw error
  }
}

function claimVeth(ctx: HostContext, record: NetworkRecord): void {
  ctx.names.claim(record.names.vethHost, vethOwner(record))
}

/** Re-observe after a change: an attachment that does not plan empty now did not converge. */
export async function verifyConverged(attachment: Attachment, what: string): Promise<void> {
  const [host, ns] = await Promise.all([observeHost(), observeNamespace(attachment.namespace)])
  const again = planAttachment(attachment, host, ns)
  if (!isEmptyPlan(again)) {
    throw new ApplyError(`links of ${what} did not converge; still pending: ${[...again.host, ...again.namespace].map((c) => c.join(' ')).join('; ')}`)
  }
}

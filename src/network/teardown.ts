import {ApplyError, describeError} from '../core/errors.js'
import {log} from '../core/log.js'
import {applyLinkPlan, deleteNamespace, observeHost} from '../links/apply.js'
import {namespaceExists} from '../links/observe.js'
import {planDetach} from '../links/plan.js'
import type {NetworkPayload} from '../protocol/network-payload.js'
import {HOOK_EVENTS} from '../ruleset/types.js'
import type {NetworkRecord} from '../state/store.js'
import type {HostContext} from './context.js'
import {guestAttachmentOf, networkRecordFrom, networkUser, vethOwner} from './record.js'
import {reconcileRuleset, snapshotOf} from './scope.js'
import {releaseSharedDevices, sharedDevicesFor} from './shared-devices.js'

export type TeardownMode = 'shutdown' | 'destroy'

export interface TeardownHookOptions {
  mode: TeardownMode
  network: NetworkRecord
  snapshot: ReturnType<typeof snapshotOf>
}

/** The network as state knows it; for a host the bash wrapper managed, rebuilt from its files and the payload. */
function knownNetwork(ctx: HostContext, payload: NetworkPayload): NetworkRecord | undefined {
  const record = ctx.store.readNetwork(payload.network_id)
  if (record) return record
  const files = ctx.store.readReferenceFiles(payload.network_id)
  const vlan = payload.vlan ?? files?.vlan
  if (!vlan) return undefined
  return networkRecordFrom({...payload, vlan, cidr: payload.cidr ?? files?.cidr, gateway: payload.gateway ?? files?.gateway}, undefined, ctx.invocation.physical)
}

/**
 * shutdown-network keeps state so a re-implement restarts from it; destroy-network also drops it. Both succeed
 * when the network is already gone. Plugins stop their daemons and drop what they own first (teardown hook);
 * a VPC tier leaves the shared namespace and the other tiers untouched, and its chains disappear with the
 * re-rendered ruleset.
 */
export async function teardownNetwork(ctx: HostContext, payload: NetworkPayload, mode: TeardownMode): Promise<void> {
  const record = knownNetwork(ctx, payload)
  if (!record) {
    log().info({network: payload.network_id, mode}, 'nothing known about this network; treating as done')
    return
  }
  const snapshot = snapshotOf(ctx, record, record.namespace)
  const hooks = await ctx.config.runHook(HOOK_EVENTS.teardown, {mode, network: record, snapshot} satisfies TeardownHookOptions)
  const failure = hooks.failures[0]
  if (failure) throw new ApplyError(`plugin ${failure.plugin.name} failed to tear down network ${record.networkId}: ${describeError(failure.error)}`)

  ctx.store.writeNetwork({...record, implemented: false})
  if (!record.vpcId) {
    // Deleting the namespace takes its veth ends, their host peers and every chain with it.
    await deleteNamespace(record.namespace, ctx.paths.netnsConfDir)
  } else if (namespaceExists(record.namespace)) {
    // A tier leaves a shared namespace: re-render without it, so its chains go and the other tiers' stay.
    await reconcileRuleset(ctx, record, record.namespace)
  }
  await applyLinkPlan(planDetach(guestAttachmentOf(record), await observeHost()), record.namespace)
  await releaseSharedDevices(ctx, sharedDevicesFor(record.guestDevice, record.vlan ?? ''), networkUser(record))

  if (mode === 'destroy') {
    ctx.store.removeNetwork(record)
    ctx.names.release(record.names.vethHost, vethOwner(record))
  }
  log().info({network: record.networkId, namespace: record.namespace, mode}, `network ${mode === 'destroy' ? 'destroyed' : 'shut down'}`)
}

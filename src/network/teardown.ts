import {ApplyError, describeError} from '../core/errors.js'
import {log} from '../core/log.js'
import {applyLinkPlan, deleteNamespace, observeHost} from '../links/apply.js'
import {namespaceExists} from '../links/observe.js'
import {planGuestDetach} from '../links/plan.js'
import type {NetworkPayload} from '../protocol/network-payload.js'
import {HOOK_EVENTS} from '../ruleset/types.js'
import {acquireLock} from '../state/lock.js'
import type {NetworkRecord} from '../state/store.js'
import type {HostContext} from './context.js'
import {guestAttachmentOf, networkRecordFrom} from './record.js'
import {reconcileRuleset, snapshotOf} from './scope.js'

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
 * when the network is already gone. Plugins stop their daemons first (teardown hook); a VPC tier leaves the
 * shared namespace and the other tiers untouched, and its chains disappear with the re-rendered ruleset.
 */
export async function teardownNetwork(ctx: HostContext, payload: NetworkPayload, mode: TeardownMode): Promise<void> {
  const record = knownNetwork(ctx, payload)
  if (!record) {
    log().info({network: payload.network_id, mode}, 'nothing known about this network; treating as done')
    if (mode === 'destroy') ctx.store.removeNetwork({networkId: payload.network_id, vpcId: payload.vpc_id} as NetworkRecord)
    return
  }
  const namespacePresent = namespaceExists(record.namespace)
  const snapshot = snapshotOf(ctx, record, record.namespace)
  const hooks = await ctx.config.runHook(HOOK_EVENTS.teardown, {mode, network: record, snapshot} satisfies TeardownHookOptions)
  const failure = hooks.failures[0]
  if (failure) throw new ApplyError(`plugin ${failure.plugin.name} failed to tear down network ${record.networkId}: ${describeError(failure.error)}`)

  const stopped: NetworkRecord = {...record, implemented: false}
  ctx.store.writeNetwork(stopped)
  if (record.vpcId) {
    if (namespacePresent) await reconcileRuleset(ctx, record, record.namespace)
  } else {
    await deleteNamespace(record.namespace, ctx.paths.netnsConfDir)
  }
  await releaseHostDevices(ctx, stopped)

  if (mode === 'destroy') {
    ctx.store.removeNetwork(record)
    releaseNames(ctx, record)
  }
  log().info({network: record.networkId, namespace: record.namespace, mode}, `network ${mode === 'destroy' ? 'destroyed' : 'shut down'}`)
}

async function releaseHostDevices(ctx: HostContext, record: NetworkRecord): Promise<void> {
  const hostLock = acquireLock(ctx.store.hostLockPath(), Math.min(30, ctx.deadline.remainingMs() / 1000), 'host devices')
  try {
    const users = new Set(
      ctx.store
        .allNetworks()
        .filter((other) => other.implemented && other.networkId !== record.networkId)
        .flatMap((other) => other.hostDevices),
    )
    const plan = planGuestDetach(guestAttachmentOf(record), await observeHost(), {
      inUseElsewhere: (device) => users.has(device),
      createdByUs: (device) => ctx.store.createdByUs(device),
    })
    await applyLinkPlan(plan, record.namespace)
    for (const command of plan.host) {
      const device = command[2]
      if (command[1] === 'del' && device && device !== record.names.vethHost) ctx.store.forgetCreated(device)
    }
  } finally {
    hostLock.release()
  }
}

/** Drop the network's name claims; shared device names stay claimed while another network on this host uses them. */
function releaseNames(ctx: HostContext, record: NetworkRecord): void {
  ctx.names.release(record.names.vethHost, record.vpcId ? `vpc-${record.vpcId}` : `network-${record.networkId}`)
  const stillUsed = new Set(ctx.store.allNetworks().flatMap((other) => other.hostDevices))
  if (!stillUsed.has(record.names.bridge)) ctx.names.release(record.names.bridge, `bridge:${record.guestDevice}.${record.vlan}`)
  if (!stillUsed.has(record.names.vlanDevice)) ctx.names.release(record.names.vlanDevice, `vlan:${record.guestDevice}.${record.vlan}`)
}

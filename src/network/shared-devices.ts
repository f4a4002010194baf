import {applyLinkPlan, observeHost} from '../links/apply.js'
import {planSharedDeviceRemoval} from '../links/plan.js'
import {bridgeName, vlanDeviceName} from '../naming/names.js'
import {acquireLock} from '../state/lock.js'
import type {HostContext} from './context.js'

/** A host device several networks may share, with the key its name is claimed under. */
export interface SharedDevice {
  name: string
  /** Registry owner of the name: two different NIC/VLAN pairs must never map to one device name. */
  claim: string
}

/** The bridge for `<parent>` VLAN `vlan`, then its VLAN sub-interface (absent when untagged). */
export function sharedDevicesFor(parent: string, vlan: string): SharedDevice[] {
  const devices = [{name: bridgeName(parent, vlan), claim: `bridge:${parent}.${vlan}`}]
  const vlanDevice = vlanDeviceName(parent, vlan)
  if (vlanDevice !== parent) devices.push({name: vlanDevice, claim: `vlan:${parent}.${vlan}`})
  return devices
}

/** Creating or deleting shared devices happens under one host-wide lock, held briefly. */
export async function withHostLock<T>(ctx: HostContext, work: () => Promise<T>): Promise<T> {
  const lock = acquireLock(ctx.store.hostLockPath(), Math.min(30, ctx.deadline.remainingMs() / 1000), 'host devices')
  try {
    return await work()
  } finally {
    lock.release()
  }
}

/** Claim the devices' names and record `user` as using them. Call under the host lock. */
export function useSharedDevices(ctx: HostContext, devices: SharedDevice[], user: string): void {
  const claimed: SharedDevice[] = []
  try {
    for (const device of devices) {
      const fresh = ctx.names.owner(device.name) === undefined
      ctx.names.claim(device.name, device.claim)
      if (fresh) claimed.push(device)
    }
  } catch (error) {
    for (const device of claimed) ctx.names.release(device.name, device.claim)
    throw error
  }
  for (const device of devices) ctx.devices.use(device.name, user)
}

/**
 * `user` stops using the devices; those nobody uses any more go: deleted if csnet created them (never an
 * operator's device), and their names released.
 */
export async function releaseSharedDevices(ctx: HostContext, devices: SharedDevice[], user: string): Promise<void> {
  await withHostLock(ctx, async () => {
    for (const device of devices) ctx.devices.release(device.name, user)
    const unused = devices.filter((device) => ctx.devices.users(device.name).length === 0)
    const ours = unused.filter((device) => ctx.devices.createdByUs(device.name)).map((device) => device.name)
    if (ours.length > 0) await applyLinkPlan(planSharedDeviceRemoval(ours, await observeHost()), '')
    for (const device of unused) {
      ctx.devices.forgetCreated(device.name)
      ctx.names.release(device.name, device.claim)
    }
  })
}

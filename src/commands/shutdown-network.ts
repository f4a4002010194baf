import {CloudStackCommand} from '../cli/cloudstack-command.js'
import {cloudstackFlags} from '../cli/flags.js'
import type {HostContext} from '../network/context.js'
import {teardownNetwork} from '../network/teardown.js'
import {networkPayload, type NetworkPayload} from '../protocol/network-payload.js'

export default class ShutdownNetwork extends CloudStackCommand<typeof networkPayload> {
  static override summary = "Take a network's data plane down, keeping its state for a later implement-network."
  static override description = `Plugins stop their daemons, the guest veth goes, and the namespace is deleted (a VPC tier leaves the
VPC namespace and its other tiers alone; the tier's chains disappear). Bridges and VLAN devices csnet
created go when no other network uses them. State stays, so implement-network restarts from it.
Succeeds when the network is already gone.

Payload fields: network_id (required), vlan, vpc_id, guest_type, network_state.`
  static override examples = ['<%= config.bin %> shutdown-network /tmp/cs-extnet-shutdown-network-123.payload 60']
  static override flags = cloudstackFlags(['network-id', 'vlan', 'vpc-id', 'guest-type', 'network-state'])

  protected readonly schema = networkPayload

  protected async execute(payload: NetworkPayload, ctx: HostContext): Promise<void> {
    await teardownNetwork(ctx, payload, 'shutdown')
  }
}

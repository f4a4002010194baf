import {CloudStackCommand} from '../cli/cloudstack-command.js'
import {cloudstackFlags} from '../cli/flags.js'
import type {HostContext} from '../network/context.js'
import {teardownNetwork} from '../network/teardown.js'
import {networkPayload, type NetworkPayload} from '../protocol/network-payload.js'

export default class DestroyNetwork extends CloudStackCommand<typeof networkPayload> {
  static override summary = 'Remove a network completely: data plane, chains and state.'
  static override description = `Everything shutdown-network does, then the network's state directory and interface-name claims go.
A VPC tier only leaves the VPC; the VPC namespace stays for its other tiers. Succeeds when the network
is already gone.

Payload fields: network_id (required), vlan, vpc_id, guest_type, network_state.`
  static override examples = ['<%= config.bin %> destroy-network /tmp/cs-extnet-destroy-network-123.payload 60']
  static override flags = cloudstackFlags(['network-id', 'vlan', 'vpc-id', 'guest-type', 'network-state'])

  protected readonly schema = networkPayload

  protected async execute(payload: NetworkPayload, ctx: HostContext): Promise<void> {
    await teardownNetwork(ctx, payload, 'destroy')
  }
}

import {CloudStackCommand} from '../../../../src/cli/cloudstack-command.js'
import {cloudstackFlags} from '../../../../src/cli/flags.js'
import type {HostContext} from '../../../../src/network/context.js'
import {portForwardPayload, type PortForwardPayload} from '../payload.js'
import {deletePortForward} from '../service.js'

export default class DeletePortForward extends CloudStackCommand<typeof portForwardPayload> {
  static override summary = 'Remove a port forward and cut its flows. Deleting what is gone succeeds.'
  static override description = `Payload fields: network_id, public_ip, public_port, private_ip, private_port, protocol, vpc_id.`
  static override examples = ['<%= config.bin %> delete-port-forward /tmp/cs-extnet-delete-port-forward-123.payload 60']
  static override flags = cloudstackFlags(['network-id', 'vpc-id', 'vlan', 'network-state', 'public-ip', 'public-vlan', 'public-cidr', 'public-port', 'private-ip', 'private-port', 'protocol'])

  protected readonly schema = portForwardPayload

  protected async execute(payload: PortForwardPayload, ctx: HostContext): Promise<void> {
    await deletePortForward(ctx, payload)
  }
}

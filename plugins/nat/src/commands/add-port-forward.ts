import {CloudStackCommand} from '../../../../src/cli/cloudstack-command.js'
import {cloudstackFlags} from '../../../../src/cli/flags.js'
import type {HostContext} from '../../../../src/network/context.js'
import {portForwardPayload, type PortForwardPayload} from '../payload.js'
import {addPortForward} from '../service.js'

export default class AddPortForward extends CloudStackCommand<typeof portForwardPayload> {
  static override summary = 'Forward a public port or range to a VM port or range (tcp or udp).'
  static override description = `Payload fields: network_id, public_ip, public_port, private_ip, private_port (required; 22, 8080-8090 or 8080:8090), protocol (tcp default, any case), public_vlan, vpc_id.`
  static override examples = ['<%= config.bin %> add-port-forward /tmp/cs-extnet-add-port-forward-123.payload 60']
  static override flags = cloudstackFlags(['network-id', 'vpc-id', 'vlan', 'network-state', 'public-ip', 'public-vlan', 'public-cidr', 'public-port', 'private-ip', 'private-port', 'protocol'])

  protected readonly schema = portForwardPayload

  protected async execute(payload: PortForwardPayload, ctx: HostContext): Promise<void> {
    await addPortForward(ctx, payload)
  }
}

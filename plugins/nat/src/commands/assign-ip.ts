import {CloudStackCommand} from '../../../../src/cli/cloudstack-command.js'
import {cloudstackFlags} from '../../../../src/cli/flags.js'
import type {HostContext} from '../../../../src/network/context.js'
import {publicIpPayload, type PublicIpPayload} from '../payload.js'
import {assignIp} from '../service.js'

export default class AssignIp extends CloudStackCommand<typeof publicIpPayload> {
  static override summary = 'Give the network a public IP on its public veth (source NAT when it is the source-NAT IP).'
  static override description = `Payload fields: public-ip public-vlan public-gateway public-cidr source-nat:network_id, public_ip, public_vlan (required), public_gateway, public_cidr (prefix length used), source_nat, vpc_id.`
  static override examples = ['<%= config.bin %> assign-ip /tmp/cs-extnet-assign-ip-123.payload 60']
  static override flags = cloudstackFlags(['network-id', 'vpc-id', 'vlan', 'network-state', 'address', 'on', 'its', 'public', 'veth,', 'source', 'NAT', 'when', 'it', 'is', 'the', 'source-NAT', 'IP.'])

  protected readonly schema = publicIpPayload

  protected async execute(payload: PublicIpPayload, ctx: HostContext): Promise<void> {
    await assignIp(ctx, payload)
  }
}

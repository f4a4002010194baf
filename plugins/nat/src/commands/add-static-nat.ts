import {CloudStackCommand} from '../../../../src/cli/cloudstack-command.js'
import {cloudstackFlags} from '../../../../src/cli/flags.js'
import type {HostContext} from '../../../../src/network/context.js'
import {staticNatPayload, type StaticNatPayload} from '../payload.js'
import {addStaticNat} from '../service.js'

export default class AddStaticNat extends CloudStackCommand<typeof staticNatPayload> {
  static override summary = 'Map a public IP one-to-one to a VM (inbound DNAT, outbound as that IP).'
  static override description = `Payload fields: network_id, public_ip, private_ip (required), public_vlan (when the IP is not assigned yet), public_cidr, vpc_id.`
  static override examples = ['<%= config.bin %> add-static-nat /tmp/cs-extnet-add-static-nat-123.payload 60']
  static override flags = cloudstackFlags(['network-id', 'vpc-id', 'vlan', 'network-state', 'public-ip', 'public-vlan', 'public-cidr', 'private-ip'])

  protected readonly schema = staticNatPayload

  protected async execute(payload: StaticNatPayload, ctx: HostContext): Promise<void> {
    await addStaticNat(ctx, payload)
  }
}

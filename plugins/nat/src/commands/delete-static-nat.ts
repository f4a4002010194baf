import {CloudStackCommand} from '../../../../src/cli/cloudstack-command.js'
import {cloudstackFlags} from '../../../../src/cli/flags.js'
import type {HostContext} from '../../../../src/network/context.js'
import {staticNatPayload, type StaticNatPayload} from '../payload.js'
import {deleteStaticNat} from '../service.js'

export default class DeleteStaticNat extends CloudStackCommand<typeof staticNatPayload> {
  static override summary = 'Remove a static NAT and cut its flows. Deleting what is gone succeeds.'
  static override description = `Payload fields: network_id, public_ip (required), private_ip, vpc_id.`
  static override examples = ['<%= config.bin %> delete-static-nat /tmp/cs-extnet-delete-static-nat-123.payload 60']
  static override flags = cloudstackFlags(['network-id', 'vpc-id', 'vlan', 'network-state', 'public-ip', 'public-vlan', 'public-cidr', 'private-ip'])

  protected readonly schema = staticNatPayload

  protected async execute(payload: StaticNatPayload, ctx: HostContext): Promise<void> {
    await deleteStaticNat(ctx, payload)
  }
}

import {CloudStackCommand} from '../../../../src/cli/cloudstack-command.js'
import {cloudstackFlags} from '../../../../src/cli/flags.js'
import type {HostContext} from '../../../../src/network/context.js'
import {publicIpPayload, type PublicIpPayload} from '../payload.js'
import {releaseIp} from '../service.js'

export default class ReleaseIp extends CloudStackCommand<typeof publicIpPayload> {
  static override summary = 'Take a public IP off the network, with the NAT rules and flows on it.'
  static override description = `Payload fields: network_id, public_ip (required), vpc_id.`
  static override examples = ['<%= config.bin %> release-ip /tmp/cs-extnet-release-ip-123.payload 60']
  static override flags = cloudstackFlags(['network-id', 'vpc-id', 'vlan', 'network-state', 'public-ip', 'public-vlan', 'public-gateway', 'public-cidr'])

  protected readonly schema = publicIpPayload

  protected async execute(payload: PublicIpPayload, ctx: HostContext): Promise<void> {
    await releaseIp(ctx, payload)
  }
}
